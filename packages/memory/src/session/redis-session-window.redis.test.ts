import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { clusterForTests, clusterTestsSkipReason } from '@switchyard/redis-connection/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisSessionWindow } from './redis-session-window';
import { CONTRACT_LIMITS, runSessionWindowContract, storedResponse } from './session-window.contract';
import type { SessionWindow } from './session-window';

const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `sy-test-mem-${randomUUID()}:`;
const opened: SessionWindow[] = [];
const open = (limits = CONTRACT_LIMITS) => {
  const window = createRedisSessionWindow(redisUrl, { keyPrefix: runPrefix, limits });
  opened.push(window);
  return window;
};

runSessionWindowContract('redis', () => open());

// The same contract on a real 3-master Redis Cluster of this file's own (a tenant's keys share one hash slot).
describe.skipIf(clusterTestsSkipReason())('on a Redis Cluster', () => {
  const cluster = clusterForTests();
  const onCluster: SessionWindow[] = [];
  beforeAll(cluster.start);
  afterAll(async () => {
    await Promise.all(onCluster.map((window) => window.close()));
    await cluster.stop();
  });
  runSessionWindowContract('redis cluster', () => {
    const window = createRedisSessionWindow(cluster.url, { keyPrefix: `${randomUUID()}:`, limits: CONTRACT_LIMITS });
    onCluster.push(window);
    return window;
  });
});

describe('redis session window', () => {
  it('puts a TTL on every key it writes, and keeps a tenant in one hash slot', async () => {
    const window = open({ ...CONTRACT_LIMITS, ttlSeconds: 120 });
    const tenantId = randomUUID();
    await window.putResponse(tenantId, storedResponse());
    await window.appendTurns(tenantId, 'session-1', [{ role: 'user', content: 'hi' }]);
    const redis = new Redis(redisUrl);
    try {
      const keys = await redis.keys(`${runPrefix}switchyard:mem:{${tenantId}}:*`);
      expect(keys.length).toBe(7); // record, index, sizes, totals, the session's response set, window, window bytes
      for (const key of keys) {
        const ttl = await redis.pttl(key);
        expect(ttl, key).toBeGreaterThan(0);
        expect(ttl, key).toBeLessThanOrEqual(120_000);
      }
    } finally {
      await redis.quit();
    }
  });

  it('stops counting responses whose keys expired', async () => {
    const window = open({ ...CONTRACT_LIMITS, ttlSeconds: 1 });
    const tenantId = randomUUID();
    for (let i = 0; i < CONTRACT_LIMITS.maxResponsesPerTenant; i += 1) await window.putResponse(tenantId, storedResponse());
    await expect(window.putResponse(tenantId, storedResponse())).rejects.toThrow(/limit/);
    // Waiting for Redis to expire keys is the behaviour under test (not a speed check).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await window.usage(tenantId)).toEqual({ responses: 0, bytes: 0 });
    await window.putResponse(tenantId, storedResponse());
  });
});

afterAll(async () => {
  await Promise.all(opened.map((window) => window.close()));
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${runPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});
