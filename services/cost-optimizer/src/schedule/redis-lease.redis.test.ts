import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { clusterForTests, clusterTestsSkipReason } from '@switchyard/redis-connection/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLeaseContract } from './lease.contract';
import { createRedisLease } from './redis-lease';

const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `sy-test-lease-${randomUUID()}:`;

runLeaseContract('redis', () => createRedisLease(redisUrl, { keyPrefix: runPrefix }));

// The same contract on a real 3-master Redis Cluster of this file's own (the lease and its fence share a slot).
describe.skipIf(clusterTestsSkipReason())('on a Redis Cluster', () => {
  const cluster = clusterForTests();
  beforeAll(cluster.start);
  afterAll(cluster.stop);
  runLeaseContract('redis cluster', () => createRedisLease(cluster.url, { keyPrefix: `${randomUUID()}:` }));
});

describe('redis lease', () => {
  it('keeps the lease and its fencing counter under the key prefix, the lease with its TTL', async () => {
    const leases = createRedisLease(redisUrl, { keyPrefix: runPrefix });
    const redis = new Redis(redisUrl);
    try {
      const lease = (await leases.acquire('schedule', 'replica-1', 60_000))!;
      expect(await redis.get(`${runPrefix}switchyard:lease:{schedule}`)).toBe(`${lease.token}:replica-1`);
      expect(await redis.pttl(`${runPrefix}switchyard:lease:{schedule}`)).toBeGreaterThan(0);
      expect(await redis.get(`${runPrefix}switchyard:lease:{schedule}:fence`)).toBe(String(lease.token));
    } finally {
      await leases.close();
      await redis.quit();
    }
  });
});

afterAll(async () => {
  // Only this run's keys (never FLUSHDB: the Redis is shared).
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${runPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});
