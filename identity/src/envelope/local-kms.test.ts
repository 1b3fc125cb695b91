import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeKeyManagementServiceContract } from './key-management-service.contract';
import { KeyIntegrityError, KeyUnavailableError } from './key-management-service';
import { createLocalKms, generateMasterKey } from './local-kms';

describeKeyManagementServiceContract('local', () => createLocalKms({ masterKeys: { k1: generateMasterKey() }, activeKeyId: 'k1' }));

describe('local KMS', () => {
  it('refuses bad config: short keys, unknown active key, odd key ids', () => {
    expect(() => createLocalKms({ masterKeys: { k1: Buffer.alloc(16).toString('base64') }, activeKeyId: 'k1' })).toThrow(/32 bytes/);
    expect(() => createLocalKms({ masterKeys: { k1: generateMasterKey() }, activeKeyId: 'k2' })).toThrow(/activeKeyId/);
    expect(() => createLocalKms({ masterKeys: { 'bad id!': generateMasterKey() }, activeKeyId: 'bad id!' })).toThrow(/key ids/);
  });

  it('unwrapping under a key that is not configured is KeyUnavailableError', async () => {
    const wrapped = await createLocalKms({ masterKeys: { old: generateMasterKey() }, activeKeyId: 'old' }).wrap(randomBytes(32));
    const rotated = createLocalKms({ masterKeys: { new: generateMasterKey() }, activeKeyId: 'new' });
    await expect(rotated.unwrap(wrapped)).rejects.toBeInstanceOf(KeyUnavailableError);
  });

  it('a wrapped key relabelled with another key id does not unwrap', async () => {
    const kms = createLocalKms({ masterKeys: { a: generateMasterKey(), b: generateMasterKey() }, activeKeyId: 'a' });
    const wrapped = await kms.wrap(randomBytes(32));
    await expect(kms.unwrap({ ...wrapped, keyId: 'b' })).rejects.toBeInstanceOf(KeyIntegrityError);
  });
});
