import { createHmac, randomBytes } from 'node:crypto';
import { AES_256_KEY_BYTES, open, seal } from './aes-gcm';

/**
 * A tenant secret sealed under the tenant's data key, stored as two columns (nonce, tag |
 * ciphertext). The AAD names the tenant, what the secret is for (`provider-credential:openai`)
 * and the data key, so bytes copied to another tenant's row, another purpose or beside another
 * data key refuse to open.
 */
export interface SealedSecret {
  nonce: Buffer;
  /** GCM tag (16 bytes) followed by the ciphertext. */
  ciphertext: Buffer;
}

export interface SecretContext {
  tenantId: string;
  purpose: string;
  dataKeyId: string;
}

const NONCE_BYTES = 12;

function aadOf(context: SecretContext): Buffer {
  return Buffer.from(JSON.stringify(['switchyard-secret-v1', context.tenantId, context.purpose, context.dataKeyId]), 'utf8');
}

/** A fresh random AES-256 data key (wrap it with the KMS before storing it). */
export function generateDataKey(): Buffer {
  return randomBytes(AES_256_KEY_BYTES);
}

export function sealSecret(dataKey: Uint8Array, plaintext: string, context: SecretContext): SealedSecret {
  const box = seal(dataKey, Buffer.from(plaintext, 'utf8'), aadOf(context));
  return { nonce: box.subarray(0, NONCE_BYTES), ciphertext: box.subarray(NONCE_BYTES) };
}

/** Throws KeyIntegrityError when the bytes, the key or the context do not match. */
export function openSecret(dataKey: Uint8Array, sealed: SealedSecret, context: SecretContext): string {
  const nonce = Buffer.from(sealed.nonce);
  const box = Buffer.concat([nonce.length === NONCE_BYTES ? nonce : Buffer.alloc(0), Buffer.from(sealed.ciphertext)]);
  return open(dataKey, box, aadOf(context), `secret (${context.purpose})`).toString('utf8');
}

/**
 * Keyed fingerprint of a secret (HMAC-SHA256 under the data key, 128 bits hex): tells an
 * unchanged secret apart without decrypting, and is useless to whoever lacks the data key.
 */
export function secretFingerprint(dataKey: Uint8Array, plaintext: string): string {
  return createHmac('sha256', dataKey).update('switchyard-secret-fingerprint-v1\0').update(plaintext, 'utf8').digest('hex').slice(0, 32);
}

/** The last four characters, for display ("…abcd"); shorter secrets show nothing. */
export function lastFour(secret: string): string {
  return secret.length >= 12 ? secret.slice(-4) : '';
}
