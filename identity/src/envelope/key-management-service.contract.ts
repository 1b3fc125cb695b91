import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyIntegrityError, type KeyManagementService } from './key-management-service';

/** Every KeyManagementService implementation must pass this. */
export function describeKeyManagementServiceContract(name: string, create: () => KeyManagementService): void {
  describe(`KeyManagementService contract: ${name}`, () => {
    it('unwraps what it wrapped, under the active key', async () => {
      const kms = create();
      const dataKey = randomBytes(32);
      const wrapped = await kms.wrap(dataKey);
      expect(wrapped.keyId).toBe(kms.activeKeyId);
      expect(Buffer.from(wrapped.wrapped, 'base64url').includes(dataKey)).toBe(false);
      expect(Buffer.from(await kms.unwrap(wrapped))).toEqual(dataKey);
    });

    it('refuses a tampered wrapped key', async () => {
      const kms = create();
      const wrapped = await kms.wrap(randomBytes(32));
      const bytes = Buffer.from(wrapped.wrapped, 'base64url');
      bytes[bytes.length - 1]! ^= 1;
      await expect(kms.unwrap({ ...wrapped, wrapped: bytes.toString('base64url') })).rejects.toBeInstanceOf(KeyIntegrityError);
      await expect(kms.unwrap({ ...wrapped, wrapped: 'AA' })).rejects.toBeInstanceOf(KeyIntegrityError);
    });

    it('wraps the same data key differently each time', async () => {
      const kms = create();
      const dataKey = randomBytes(32);
      expect((await kms.wrap(dataKey)).wrapped).not.toBe((await kms.wrap(dataKey)).wrapped);
    });
  });
}
