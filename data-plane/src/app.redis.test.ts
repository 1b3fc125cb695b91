import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisBus } from './bus/redis-bus';
import { createRedisRateLimiter } from './ingress/rate-limit/redis-rate-limiter';
import { startHarness } from './test-support/data-plane-harness';

/** Production wiring: the same app on the Redis bus (Streams) and the Redis GCRA script. */
const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `sy-test-app-${randomUUID()}:`;

afterAll(async () => {
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('data plane on Redis', () => {
  it('two replicas share one rate limit and both write usage to one Redis stream', async () => {
    const bus = createRedisBus(redisUrl, { keyPrefix: prefix });
    const limiterA = createRedisRateLimiter(redisUrl, { keyPrefix: prefix });
    const limiterB = createRedisRateLimiter(redisUrl, { keyPrefix: prefix });
    const replicaA = await startHarness({ bus, rateLimiter: limiterA, requestsPerMinutePerKey: 3 });
    const replicaB = await startHarness({ bus, rateLimiter: limiterB, apiKeys: replicaA.keys, requestsPerMinutePerKey: 3 });

    const call = (url: string): Promise<number> =>
      fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${replicaA.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mock-mini', messages: [{ role: 'user', content: 'hi' }] }),
      }).then((r) => r.status);
    const statuses = await Promise.all([replicaA.baseUrl, replicaB.baseUrl, replicaA.baseUrl, replicaB.baseUrl, replicaA.baseUrl].map(call));
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);

    await replicaB.finish();
    const events = await replicaA.finish(); // reads the whole shared stream
    expect(events).toHaveLength(3);
    expect(new Set(events.map((e) => e.requestId)).size).toBe(3);
    await Promise.all([bus.close(), limiterA.close(), limiterB.close()]);
  });
});
