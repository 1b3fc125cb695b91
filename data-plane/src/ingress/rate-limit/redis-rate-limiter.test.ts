import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { openRedis } from '@switchyard/redis-connection';
import { clusterForTests, clusterTestsSkipReason } from '@switchyard/redis-connection/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRateLimiterContract } from './rate-limiter.contract';
import { createRedisRateLimiter } from './redis-rate-limiter';

const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `sy-test-rl-${randomUUID()}:`;

runRateLimiterContract('redis', () => createRedisRateLimiter(redisUrl, { keyPrefix: runPrefix }));
acrossReplicas('redis', () => redisUrl);
settlementsRideAlong('redis', () => redisUrl);

describe('redis rate limiter: the reservations of one turn after its first share one script call', () => {
  const limit = { limit: 5, periodMs: 3_600_000 };

  it('decides them one after the other, each all or nothing, exactly as separate calls in that order', async () => {
    const monitor = await new Redis(redisUrl).monitor();
    const tag = `{${randomUUID()}}`;
    const scriptCalls: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (/^eval/i.test(args[0] ?? '') && args.some((arg) => arg.includes(tag))) scriptCalls.push(args);
    });
    const limiter = createRedisRateLimiter(redisUrl, { keyPrefix: runPrefix });
    const shared = `rpm:${tag}:k`;
    const other = `rpm:${tag}:other`;
    const decided = await Promise.all([
      limiter.consumeAll([{ key: shared, limit, cost: 3 }]),
      // 3 + 3 > 5: refused, and charges neither key.
      limiter.consumeAll([
        { key: other, limit, cost: 1 },
        { key: shared, limit, cost: 3 },
      ]),
      limiter.consumeAll([{ key: shared, limit, cost: 2 }]),
      limiter.consumeAll([{ key: other, limit, cost: 5 }]),
    ]);
    expect(decided.map((decisions) => decisions.map((d) => [d.allowed, d.remaining]))).toEqual([
      [[true, 2]],
      [
        [true, 5],
        [false, 2],
      ],
      [[true, 0]],
      [[true, 0]],
    ]);
    expect(decided[1]?.[1]?.retryAfterMs).toBeGreaterThan(0);
    await limiter.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    monitor.disconnect();
    // The first of the turn left at once; the three after it shared one call.
    expect(scriptCalls).toHaveLength(2);
  });
});

// The data plane's composition gives the limiter the connection its bus and feedback log also use.
describe('redis rate limiter on a shared connection', () => {
  const shared = openRedis(redisUrl);
  afterAll(async () => {
    await shared.quit();
  });
  runRateLimiterContract('redis (shared connection)', () => createRedisRateLimiter(shared, { keyPrefix: runPrefix }));

  it('close sends what waits but leaves the connection it was given open for its other users', async () => {
    const limiter = createRedisRateLimiter(shared, { keyPrefix: runPrefix, settleLingerMs: 3_600_000 });
    const key = `tpm:{${randomUUID()}}:k`;
    const limit = { limit: 1_000, periodMs: 3_600_000 };
    await limiter.consume(key, limit, 400);
    const settled = limiter.settle([{ key, limit, reserved: 400, used: 100 }]);
    await limiter.close();
    await settled;
    expect(shared.status).toBe('ready');
    const other = createRedisRateLimiter(shared, { keyPrefix: runPrefix });
    // 1,000 − 100 used: the refund of 300 was applied by close.
    expect((await other.consume(key, limit, 0)).remaining).toBe(900);
    await other.close();
  });
});

// The same on a real 3-master Redis Cluster of this file's own.
describe.skipIf(clusterTestsSkipReason())('on a Redis Cluster', () => {
  const cluster = clusterForTests();
  beforeAll(cluster.start);
  afterAll(cluster.stop);
  runRateLimiterContract('redis cluster', () => createRedisRateLimiter(cluster.url, { keyPrefix: runPrefix }));
  acrossReplicas('redis cluster', () => cluster.url);
  settlementsRideAlong('redis cluster', () => cluster.url);
});

/**
 * A settlement waits for the next reservation of its slot (tenant) and rides in its script. The
 * linger is an hour here, so a settlement that did not ride along never resolves and the case
 * times out: the test fails rather than passing by timing.
 */
function settlementsRideAlong(name: string, url: () => string): void {
  describe(`${name} rate limiter: settlements ride along`, () => {
    const limit = { limit: 1_000, periodMs: 3_600_000 };

    it("the next reservation of the tenant carries the settlement, applied before that reservation's checks", async () => {
      const limiter = createRedisRateLimiter(url(), { keyPrefix: runPrefix, settleLingerMs: 3_600_000 });
      const tenant = randomUUID();
      const [a, b] = [`tpm:{${tenant}}:a`, `tpm-tenant:{${tenant}}`];
      await limiter.consumeAll([
        { key: a, limit, cost: 400 },
        { key: b, limit, cost: 400 },
      ]);
      const settled = limiter.settle([
        { key: a, limit, reserved: 400, used: 100 },
        { key: b, limit, reserved: 400, used: 100 },
      ]);
      // 300 come back before this reservation is decided: 1,000 - 100 - 700 = 200 left, not -100 (refused).
      const decisions = await limiter.consumeAll([
        { key: a, limit, cost: 700 },
        { key: b, limit, cost: 700 },
      ]);
      await settled;
      expect(decisions).toEqual([
        { allowed: true, remaining: 200, retryAfterMs: 0 },
        { allowed: true, remaining: 200, retryAfterMs: 0 },
      ]);
      await limiter.close();
    });

    it("another tenant's reservation does not carry it (another slot on a cluster); closing sends what waits", async () => {
      const limiter = createRedisRateLimiter(url(), { keyPrefix: runPrefix, settleLingerMs: 3_600_000 });
      const [mine, other] = [`tpm:{${randomUUID()}}:k`, `tpm:{${randomUUID()}}:k`];
      await limiter.consume(mine, limit, 500);
      let applied = false;
      const settled = limiter.settle([{ key: mine, limit, reserved: 500, used: 0 }]).then(() => (applied = true));
      await limiter.consume(other, limit, 1);
      expect(applied).toBe(false);
      await limiter.close();
      await settled;
      const check = createRedisRateLimiter(url(), { keyPrefix: runPrefix });
      expect(await check.consume(mine, limit, 0)).toMatchObject({ remaining: 1_000 });
      await check.close();
    });

    it('the settlements of many requests leave together and each is applied exactly once', async () => {
      const limiter = createRedisRateLimiter(url(), { keyPrefix: runPrefix, settleLingerMs: 3_600_000 });
      const tenant = randomUUID();
      const keys = Array.from({ length: 20 }, (_, i) => `tpm:{${tenant}}:${i}`);
      await Promise.all(keys.map((key) => limiter.consume(key, limit, 100)));
      const settled = Promise.all(keys.map((key, i) => limiter.settle([{ key, limit, reserved: 100, used: i }])));
      // One reservation of the tenant carries all twenty.
      await limiter.consume(`rpm:{${tenant}}:x`, limit, 1);
      await settled;
      const remaining = await Promise.all(keys.map(async (key) => (await limiter.consume(key, limit, 0)).remaining));
      expect(remaining).toEqual(keys.map((_, i) => 1_000 - i));
      await limiter.close();
    });

    it('with no reservation coming, the settlement leaves when its linger ends', async () => {
      const limiter = createRedisRateLimiter(url(), { keyPrefix: runPrefix, settleLingerMs: 1 });
      const key = `tpm:{${randomUUID()}}:k`;
      await limiter.consume(key, limit, 300);
      await limiter.settle([{ key, limit, reserved: 300, used: 30 }]);
      expect(await limiter.consume(key, limit, 0)).toMatchObject({ remaining: 970 });
      await limiter.close();
    });
  });
}

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
