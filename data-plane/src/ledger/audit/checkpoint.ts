import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Signed tree heads (RFC 9162 §4.10 in spirit): Ed25519 over a fixed text encoding of
 * (log id, size, root, time), so a witness can check one without our code.
 */
export interface Checkpoint {
  logId: string;
  treeSize: number;
  /** Merkle root (hex) of the first treeSize leaves. */
  rootHash: string;
  /** ISO-8601 UTC. */
  issuedAt: string;
  /** Ed25519 signature (base64) over checkpointMessage(). */
  signature: string;
}

export type UnsignedCheckpoint = Omit<Checkpoint, 'signature'>;

export function checkpointMessage(checkpoint: UnsignedCheckpoint): Buffer {
  return Buffer.from(`switchyard-audit-checkpoint/v1\n${checkpoint.logId}\n${checkpoint.treeSize}\n${checkpoint.rootHash}\n${checkpoint.issuedAt}\n`, 'utf8');
}

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
