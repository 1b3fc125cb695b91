import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { clusterForTests, clusterTestsSkipReason } from '@switchyard/redis-connection/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBus } from '@switchyard/bus';
import { createRedisRateLimiter } from './ingress/rate-limit/redis-rate-limiter';
import type { FeedbackLog } from './router/feedback-log';
import { createRedisFeedbackLog } from './router/redis-feedback-log';
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

onRedis('Redis', () => redisUrl);

// The same two replicas on a real 3-master Redis Cluster of this file's own.
describe.skipIf(clusterTestsSkipReason())('on a Redis Cluster', () => {
  const cluster = clusterForTests();
  beforeAll(cluster.start);
  afterAll(cluster.stop);
  onRedis('a Redis Cluster', () => cluster.url);
});

function onRedis(name: string, url: () => string): void {
  describe(`data plane on ${name}`, () => {
    it('two replicas share one rate limit and both write usage to one Redis stream', async () => {
      const bus = createRedisBus(url(), { keyPrefix: prefix });
      const limiterA = createRedisRateLimiter(url(), { keyPrefix: prefix });
      const limiterB = createRedisRateLimiter(url(), { keyPrefix: prefix });
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

    it('feedback posted to replica B for a request replica A served is accepted once', async () => {
      const bus = createRedisBus(url(), { keyPrefix: prefix });
      const logA = createRedisFeedbackLog(url(), { keyPrefix: prefix });
      const logB = createRedisFeedbackLog(url(), { keyPrefix: prefix });
      // The write is fire-and-forget after the answer: the test waits for it, not for a timer.
      const writes: Promise<void>[] = [];
      const spiedA: FeedbackLog = {
        remember: (requestId, served) => {
          const writing = logA.remember(requestId, served);
          writes.push(writing);
          return writing;
        },
        take: (requestId, tenantId) => logA.take(requestId, tenantId),
      };
      const routes = [{ name: 'smart', candidates: [{ model: 'mock-gpt' }, { model: 'mock-mini' }], strategy: { kind: 'bandit' as const } }];
      const replicaA = await startHarness({ bus, routes, feedbackLog: spiedA });
      const replicaB = await startHarness({ bus, routes, feedbackLog: logB, apiKeys: replicaA.keys });
      const intruder = replicaA.keys.add();

      const served = await fetch(`${replicaA.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${replicaA.secret}`, 'content-type': 'application/json', 'x-request-id': 'served-by-a' },
        body: JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(served.status).toBe(200);
      await served.text();
      await Promise.all(writes);
      // Ratable by the data plane's own id and by the client's x-request-id: one entry each.
      expect(writes).toHaveLength(2);

      const rate = (secret: string) =>
        fetch(`${replicaB.baseUrl}/feedback`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          body: JSON.stringify({ request_id: 'chatcmpl-served-by-a', score: 1 }),
        }).then(async (r) => ({ status: r.status, code: ((await r.json()) as { error?: { code: string } }).error?.code }));
      expect(await rate(intruder.secret)).toEqual({ status: 404, code: 'feedback_request_not_found' });
      expect(await rate(replicaA.secret)).toEqual({ status: 202, code: undefined });
      expect(await rate(replicaA.secret)).toEqual({ status: 404, code: 'feedback_request_not_found' });

      await replicaB.finish();
      await replicaA.finish();
      await Promise.all([bus.close(), logA.close(), logB.close()]);
    });
  });
}
