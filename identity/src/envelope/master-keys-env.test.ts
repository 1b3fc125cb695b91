import { describe, expect, it } from 'vitest';
import { generateMasterKey } from './local-kms';
import { parseMasterKeysEnv } from './master-keys-env';

describe('master keys from the environment', () => {
  it('reads a keyring from the environment, as JSON or as id:key pairs', () => {
    const [a, b] = [generateMasterKey(), generateMasterKey()];
    expect(parseMasterKeysEnv(JSON.stringify({ old: a, new: b }), 'new')).toEqual({ masterKeys: { old: a, new: b }, activeKeyId: 'new' });
    expect(parseMasterKeysEnv(`old:${a}, new:${b}`, 'new')).toEqual({ masterKeys: { old: a, new: b }, activeKeyId: 'new' });
    expect(parseMasterKeysEnv(`only:${a}`, undefined).activeKeyId).toBe('only');
  });

  it('refuses bad keyrings with the reason', () => {
    const a = generateMasterKey();
    expect(() => parseMasterKeysEnv(`a:${a},b:${generateMasterKey()}`, undefined)).toThrow(/SWITCHYARD_MASTER_KEY_ID/);
    expect(() => parseMasterKeysEnv(`a:${a}`, 'b')).toThrow(/activeKeyId/);
    expect(() => parseMasterKeysEnv('a:c2hvcnQ=', undefined)).toThrow(/32 bytes/);
    expect(() => parseMasterKeysEnv('{not json', undefined)).toThrow(/JSON/);
    expect(() => parseMasterKeysEnv('no-colon', undefined)).toThrow(/<id>:<base64>/);
  });
});
