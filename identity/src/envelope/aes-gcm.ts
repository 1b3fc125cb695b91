import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KeyIntegrityError } from './key-management-service';

/** AES-256-GCM sealed box: iv(12) | tag(16) | ciphertext, in one buffer. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const AES_256_KEY_BYTES = 32;

export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

export function open(key: Uint8Array, box: Uint8Array, aad: Uint8Array, what: string): Buffer {
  if (box.length < IV_BYTES + TAG_BYTES) throw new KeyIntegrityError(what);
  const bytes = Buffer.from(box);
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(aad);
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new KeyIntegrityError(what);
  }
}
