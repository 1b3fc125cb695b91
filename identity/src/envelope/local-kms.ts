import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AES_256_KEY_BYTES, open, seal } from './aes-gcm';
import { KeyUnavailableError, type KeyManagementService } from './key-management-service';

/**
 * Master keys from config. Rotation without downtime: add the new key and make it active while
 * keeping the old one, rewrap envelopes, then drop the old key from config.
 */
const base64Key = z
  .string()
  .transform((value) => Buffer.from(value, 'base64'))
  .refine((key) => key.length === AES_256_KEY_BYTES, 'a master key must be 32 bytes, base64-encoded');

export const localKmsConfigSchema = z
  .object({
    /** Key id → base64 AES-256 key. */
    masterKeys: z.record(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'key ids are 1-64 of [A-Za-z0-9._-]'), base64Key),
    activeKeyId: z.string(),
  })
  .refine((config) => config.activeKeyId in config.masterKeys, { message: 'activeKeyId must name one of masterKeys', path: ['activeKeyId'] });

export type LocalKmsConfig = z.input<typeof localKmsConfigSchema>;

export function createLocalKms(config: LocalKmsConfig): KeyManagementService {
  const parsed = localKmsConfigSchema.parse(config);
  const keys = new Map(Object.entries(parsed.masterKeys));
  const keyFor = (keyId: string): Buffer => {
    const key = keys.get(keyId);
    if (!key) throw new KeyUnavailableError(keyId);
    return key;
  };
  // The key id is authenticated too, so a wrapped key cannot be relabelled.
  const aadFor = (keyId: string): Buffer => Buffer.from(`switchyard-data-key:${keyId}`, 'utf8');
  return {
    activeKeyId: parsed.activeKeyId,
    wrap(dataKey) {
      const keyId = parsed.activeKeyId;
      return Promise.resolve({ keyId, wrapped: seal(keyFor(keyId), dataKey, aadFor(keyId)).toString('base64url') });
    },
    async unwrap({ keyId, wrapped }) {
      return open(keyFor(keyId), Buffer.from(wrapped, 'base64url'), aadFor(keyId), 'data key');
    },
  };
}

/** A fresh random master key, base64, for config and tests. */
export function generateMasterKey(): string {
  return randomBytes(AES_256_KEY_BYTES).toString('base64');
}
