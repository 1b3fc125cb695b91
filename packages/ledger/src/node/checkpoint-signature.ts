import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { checkpointMessage, type Checkpoint, type UnsignedCheckpoint } from '../audit/checkpoint';

export function signCheckpoint(checkpoint: UnsignedCheckpoint, privateKey: KeyObject): Checkpoint {
  return { ...checkpoint, signature: sign(null, checkpointMessage(checkpoint), privateKey).toString('base64') };
}

export function verifyCheckpointSignature(checkpoint: Checkpoint, publicKey: KeyObject | string): boolean {
  try {
    const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
    return verify(null, checkpointMessage(checkpoint), key, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}
