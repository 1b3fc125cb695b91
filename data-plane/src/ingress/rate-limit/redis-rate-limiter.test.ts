import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { clusterForTests, clusterTestsSkipReason } from '@switchyard/redis-connection/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRateLimiterContract } from './rate-limiter.contract';
import { createRedisRateLimiter } from './redis-rate-limiter';

const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `sy-test-rl-${randomUUID()}:`;

runRateLimiterContract('redis', () => createRedisRateLimiter(redisUrl, { keyPrefix: runPrefix }));
acrossReplicas('redis', () => redisUrl);

// The same on a real 3-master Redis Cluster of this file's own.
describe.skipIf(clusterTestsSkipReason())('on a Redis Cluster', () => {
  const cluster = clusterForTests();
  beforeAll(cluster.start);
  afterAll(cluster.stop);
  runRateLimiterContract('redis cluster', () => createRedisRateLimiter(cluster.url, { keyPrefix: runPrefix }));
  acrossReplicas('redis cluster', () => cluster.url);
});

function acrossReplicas(name: string, url: () => string): void {
  describe(`${name} rate limiter across replicas`, () => {
    it('two limiter instances (two data-plane replicas) share one exact budget', async () => {
      const a = createRedisRateLimiter(url(), { keyPrefix: runPrefix });
      const b = createRedisRateLimiter(url(), { keyPrefix: runPrefix });
      const limit = { limit: 30, periodMs: 3_600_000 };
      const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).consume('shared', limit)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(30);
      await Promise.all([a.close(), b.close()]);
    });

    it('two replicas charging every limit of a request in one script admit exactly the tightest limit, and charge the rest as often', async () => {
      const a = createRedisRateLimiter(url(), { keyPrefix: runPrefix });
      const b = createRedisRateLimiter(url(), { keyPrefix: runPrefix });
      const tenant = { limit: 10_000, periodMs: 3_600_000 };
      const tenantId = randomUUID();
      const checks = [
        { key: `all-key:{${tenantId}}`, limit: { limit: 25, periodMs: 3_600_000 }, cost: 1 },
        { key: `all-tenant:{${tenantId}}`, limit: tenant, cost: 7 },
      ];
      const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).consumeAll(checks)));
      expect(decisions.filter((d) => d.every((one) => one.allowed))).toHaveLength(25);
      expect(await a.consume(`all-tenant:{${tenantId}}`, tenant, 0)).toMatchObject({ remaining: 10_000 - 25 * 7 });
      await Promise.all([a.close(), b.close()]);
    });
  });
}

afterAll(async () => {
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${runPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});
