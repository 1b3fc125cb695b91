import { describe, expect, it } from 'vitest';
import { newKeys } from './test-support';
import { loadWitnessEnv } from './config';

const x = () => newKeys().publicKey.export({ format: 'jwk' }).x!;

describe('loadWitnessEnv', () => {
  it('reads the regions with their keys (two during a rotation) and defaults to the embedded store', () => {
    const env = loadWitnessEnv({ WITNESS_REGIONS: JSON.stringify([{ name: 'region-a', publicKeys: [x(), x()] }, { name: 'region-b', logId: 'audit-b', publicKeys: [x()] }]) });
    expect(env.regions.map((region) => [region.name, region.logId, region.publicKeys.length])).toEqual([
      ['region-a', 'switchyard-audit', 2],
      ['region-b', 'audit-b', 1],
    ]);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.WITNESS_PORT).toBe(4610);
  });

  it('refuses no regions, duplicate names, keys that are not raw Ed25519 keys', () => {
    expect(() => loadWitnessEnv({})).toThrow(/WITNESS_REGIONS/);
    expect(() => loadWitnessEnv({ WITNESS_REGIONS: JSON.stringify([{ name: 'a', publicKeys: [x()] }, { name: 'a', publicKeys: [x()] }]) })).toThrow(/unique/);
    expect(() => loadWitnessEnv({ WITNESS_REGIONS: JSON.stringify([{ name: 'a', publicKeys: ['not-a-key'] }]) })).toThrow(/Ed25519/);
    expect(() => loadWitnessEnv({ WITNESS_REGIONS: JSON.stringify([{ name: 'a', publicKeys: [] }]) })).toThrow(/WITNESS_REGIONS/);
  });
});
