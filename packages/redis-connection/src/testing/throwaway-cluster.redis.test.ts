import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedis, type RedisConnection } from '../open-redis';
import { clusterForTests, clusterTestsSkipReason } from './throwaway-cluster';

describe.skipIf(clusterTestsSkipReason())('a throwaway Redis Cluster opened through REDIS_URL', () => {
  const test = clusterForTests();
  let redis: RedisConnection | undefined;
  beforeAll(async () => {
    await test.start();
    redis = openRedis(test.url);
  });
  afterAll(async () => {
    await redis?.quit();
    await test.stop();
  });

  it('spreads keys over three masters and keeps hash-tagged keys in one slot for one script', async () => {
    const owners = new Set<number>();
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) owners.add((await test.cluster.masterOf(k)).port);
    expect(owners.size).toBeGreaterThan(1);
    expect(test.cluster.nodes).toHaveLength(3);
    const script = "redis.call('SET', KEYS[1], 1); redis.call('SET', KEYS[2], 2); return 1";
    // Two keys of one tag: one script writes both; without it the script is refused (by ioredis before it is sent, or by Redis: CROSSSLOT).
    await expect(redis?.eval(script, 2, 't:{x}:1', 't:{x}:2')).resolves.toBe(1);
    await expect(redis?.eval(script, 2, 'a', 'b')).rejects.toThrow(/CROSSSLOT|same slot/);
  });
});
