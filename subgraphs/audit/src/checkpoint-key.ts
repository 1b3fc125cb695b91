import { createHash, type KeyObject } from 'node:crypto';

/** The public half of the checkpoint signing key, in the form browsers and witnesses import. */
export interface CheckpointPublicKey {
  /** Raw 32-byte Ed25519 key, base64url (the JWK `x`). */
  publicKey: string;
  /** SHA-256 (hex) of the raw key. */
  keyId: string;
}

export function describeCheckpointKey(publicKey: KeyObject): CheckpointPublicKey {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('the audit signing key must be Ed25519');
  const { x } = publicKey.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new Error('Ed25519 public key without x');
  return { publicKey: x, keyId: createHash('sha256').update(Buffer.from(x, 'base64url')).digest('hex') };
}
