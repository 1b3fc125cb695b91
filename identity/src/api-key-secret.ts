import { createHash, randomBytes } from 'node:crypto';

/** API key secrets: `sk-sy-` + 32 random bytes (base64url). Only the SHA-256 is stored. */
const PREFIX = 'sk-sy-';
const DISPLAY_PREFIX_LENGTH = PREFIX.length + 6;

export interface NewApiKeySecret {
  /** Shown to the user exactly once. */
  secret: string;
  /** Safe to store and display. */
  prefix: string;
  /** SHA-256 hex of the secret, the lookup key. */
  hash: string;
}

export function generateApiKeySecret(): NewApiKeySecret {
  const secret = PREFIX + randomBytes(32).toString('base64url');
  return { secret, prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH), hash: hashApiKeySecret(secret) };
}

/** A fast hash is right here: the secret has 256 bits of entropy, so there is nothing to brute-force. */
export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function looksLikeApiKeySecret(value: string): boolean {
  return value.startsWith(PREFIX) && value.length === PREFIX.length + 43;
}
