import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM envelope encryption for audit payloads: each payload key (one per data subject)
 * encrypts payloads and is itself stored wrapped by the master key. Deleting a wrapped key
 * crypto-shreds every payload under it. Layout: iv (12) ‖ tag (16) ‖ ciphertext.
 */
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

function seal(key: Uint8Array, aad: string, plaintext: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Throws when the key is wrong or the bytes were altered. */
function open(key: Uint8Array, aad: string, sealed: Uint8Array): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed data is too short');
  const bytes = Buffer.from(sealed);
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

export function generateDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function wrapDataKey(masterKey: Uint8Array, keyId: string, dataKey: Uint8Array): Buffer {
  return seal(masterKey, `switchyard-audit-data-key:${keyId}`, dataKey);
}

export function unwrapDataKey(masterKey: Uint8Array, keyId: string, wrapped: Uint8Array): Buffer {
  return open(masterKey, `switchyard-audit-data-key:${keyId}`, wrapped);
}

export function encryptPayload(dataKey: Uint8Array, idempotencyKey: string, payloadJson: string): Buffer {
  return seal(dataKey, `switchyard-audit-payload:${idempotencyKey}`, Buffer.from(payloadJson, 'utf8'));
}

export function decryptPayload(dataKey: Uint8Array, idempotencyKey: string, ciphertext: Uint8Array): string {
  return open(dataKey, `switchyard-audit-payload:${idempotencyKey}`, ciphertext).toString('utf8');
}
