import { describe, expect, it } from 'vitest';
import { loadOptimizerEnv } from '../config';

const region = (name: string) => ({ name, databaseUrl: `postgres://optimizer@db-${name}:5432/switchyard`, redisUrl: `redis://redis-${name}:6379` });

describe('OPTIMIZER_REGIONS', () => {
  it('makes the optimizer central: regions with their own database and Redis, no DATABASE_URL needed', () => {
    const { env } = loadOptimizerEnv({ OPTIMIZER_REGIONS: JSON.stringify([region('region-a'), { ...region('region-b'), redisUrl: 'redis+cluster://b1:7000,b2:7000', redisKeyPrefix: 'b:' }]) });
    expect(env.OPTIMIZER_REGIONS?.map((r) => [r.name, r.redisKeyPrefix])).toEqual([
      ['region-a', ''],
      ['region-b', 'b:'],
    ]);
  });

  it('keeps the one-region configuration: DATABASE_URL alone', () => {
    expect(loadOptimizerEnv({ DATABASE_URL: 'postgres://optimizer@db:5432/switchyard' }).env.OPTIMIZER_REGIONS).toBeUndefined();
  });

  it('refuses neither, malformed JSON, duplicate names, bad names and non-Redis URLs, naming the problem', () => {
    expect(() => loadOptimizerEnv({})).toThrow(/DATABASE_URL \(one region\) or OPTIMIZER_REGIONS/);
    expect(() => loadOptimizerEnv({ OPTIMIZER_REGIONS: '[{"name":' })).toThrow(/OPTIMIZER_REGIONS/);
    expect(() => loadOptimizerEnv({ OPTIMIZER_REGIONS: JSON.stringify([region('a'), region('a')]) })).toThrow(/unique/);
    expect(() => loadOptimizerEnv({ OPTIMIZER_REGIONS: JSON.stringify([region('a b; drop')]) })).toThrow(/OPTIMIZER_REGIONS/);
    expect(() => loadOptimizerEnv({ OPTIMIZER_REGIONS: JSON.stringify([{ ...region('a'), redisUrl: 'http://evil' }]) })).toThrow(/redis/);
    expect(() => loadOptimizerEnv({ OPTIMIZER_REGIONS: '[]' })).toThrow(/at least one region/);
  });
});
