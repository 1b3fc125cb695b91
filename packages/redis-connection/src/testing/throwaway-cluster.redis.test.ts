import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedis, type RedisConnection } from '../open-redis';
import { redisServerAvailable, REDIS_SERVER_MISSING, startRedisCluster, type ThrowawayRedisCluster } from './throwaway-cluster';

const available = redisServerAvailable();
if (!available) console.warn(`skipped: ${REDIS_SERVER_MISSING}`);

describe.skipIf(!available)('a throwaway Redis Cluster opened through REDIS_URL', () => {
  let cluster: ThrowawayRedisCluster;
  let redis: RedisConnection;
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    redis = openRedis(cluster.url);
  });
  afterAll(async () => {
    await redis?.quit();
    await cluster?.stop();
  });

  it('spreads keys over three masters and keeps hash-tagged keys in one slot for one script', async () => {
    const owners = new Set<number>();
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) owners.add((await cluster.masterOf(k)).port);
    expect(owners.size).toBeGreaterThan(1);
    // Two keys of one tag: one script writes both; without it the script is refused (by ioredis before it is sent, or by Redis: CROSSSLOT).
    await expect(redis.eval("redis.call('SET', KEYS[1], 1); redis.call('SET', KEYS[2], 2); return 1", 2, 't:{x}:1', 't:{x}:2')).resolves.toBe(1);
    await expect(redis.eval("redis.call('SET', KEYS[1], 1); redis.call('SET', KEYS[2], 2); return 1", 2, 'a', 'b')).rejects.toThrow(/CROSSSLOT|same slot/);
  });
});
