import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { runRateLimiterContract } from './rate-limiter.contract';
import { createRedisRateLimiter } from './redis-rate-limiter';

const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `sy-test-rl-${randomUUID()}:`;

runRateLimiterContract('redis', () => createRedisRateLimiter(redisUrl, { keyPrefix: runPrefix }));

describe('redis rate limiter across replicas', () => {
  it('two limiter instances (two data-plane replicas) share one exact budget', async () => {
    const a = createRedisRateLimiter(redisUrl, { keyPrefix: runPrefix });
    const b = createRedisRateLimiter(redisUrl, { keyPrefix: runPrefix });
    const limit = { limit: 30, periodMs: 3_600_000 };
    const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).consume('shared', limit)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(30);
    await Promise.all([a.close(), b.close()]);
  });

  it('two replicas charging every limit of a request in one script admit exactly the tightest limit, and charge the rest as often', async () => {
    const a = createRedisRateLimiter(redisUrl, { keyPrefix: runPrefix });
    const b = createRedisRateLimiter(redisUrl, { keyPrefix: runPrefix });
    const tenant = { limit: 10_000, periodMs: 3_600_000 };
    const checks = [
      { key: 'all-key', limit: { limit: 25, periodMs: 3_600_000 }, cost: 1 },
      { key: 'all-tenant', limit: tenant, cost: 7 },
    ];
    const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).consumeAll(checks)));
    expect(decisions.filter((d) => d.every((one) => one.allowed))).toHaveLength(25);
    expect(await a.consume('all-tenant', tenant, 0)).toMatchObject({ remaining: 10_000 - 25 * 7 });
    await Promise.all([a.close(), b.close()]);
  });
});

afterAll(async () => {
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${runPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});
