import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { clusterForTests, clusterTestsSkipReason } from '@switchyard/redis-connection/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessRateLimiter } from '../rate-limit/in-process-rate-limiter';
import { createRedisRateLimiter } from '../rate-limit/redis-rate-limiter';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import { enforceLimits, LimitExceededError, limitKeys, limitWarningHeader, RequestExceedsTokenLimitError, reserveLimits, settleLimits } from './enforce-limits';
import { parseLimitsConfig } from './limits-config';

const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `sy-test-limits-${randomUUID()}:`;

function subject(tenantId = randomUUID()) {
  return { tenantId, apiKeyId: randomUUID() };
}

// On a Redis Cluster the six limits of a request (per key, per tenant) meet in one script: their keys share the tenant's hash tag.
const clusterSkipped = clusterTestsSkipReason() !== undefined;
const cluster = clusterForTests();
if (!clusterSkipped) {
  beforeAll(cluster.start);
  afterAll(cluster.stop);
}

const limiters: Array<[string, () => RateLimiter]> = [
  ['in-process', () => createInProcessRateLimiter(() => 1_000_000)],
  ['redis', () => createRedisRateLimiter(redisUrl, { keyPrefix: runPrefix })],
  ...(clusterSkipped ? [] : [['redis cluster', () => createRedisRateLimiter(cluster.url, { keyPrefix: runPrefix })] as [string, () => RateLimiter]]),
];

describe.each(limiters)('enforceLimits (%s limiter)', (_name, makeLimiter) => {
  it('refuses a request past the per-key token allowance with token_quota_exceeded and a retry time', async () => {
    const limiter = makeLimiter();
    const config = parseLimitsConfig({ tokensPerMinutePerKey: 1_000 });
    const who = subject();
    await enforceLimits(limiter, config, who, 600);
    const refusal = await enforceLimits(limiter, config, who, 600).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(LimitExceededError);
    expect(refusal).toMatchObject({ code: 'token_quota_exceeded', status: 429, limit: 'tokens_per_minute_per_key' });
    expect((refusal as LimitExceededError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    await limiter.close();
  });

  it('warns past the soft share and names the limit', async () => {
    const limiter = makeLimiter();
    const config = parseLimitsConfig({ tokensPerDayPerKey: 1_000, softLimitRatio: 0.8 });
    const who = subject();
    expect(await enforceLimits(limiter, config, who, 500)).toEqual([]);
    const warnings = await enforceLimits(limiter, config, who, 350);
    expect(warnings).toEqual([{ ...who, limit: 'tokens_per_day_per_key', used: 0.85 }]);
    expect(limitWarningHeader(warnings)).toBe('tokens_per_day_per_key=85%');
    await limiter.close();
  });

  it('a tenant budget is shared by all its keys: a second key cannot escape it', async () => {
    const limiter = makeLimiter();
    const config = parseLimitsConfig({ tokensPerMinutePerTenant: 1_000 });
    const tenantId = randomUUID();
    await enforceLimits(limiter, config, subject(tenantId), 900);
    await expect(enforceLimits(limiter, config, subject(tenantId), 200)).rejects.toMatchObject({ limit: 'tokens_per_minute_per_tenant' });
    // Another tenant is untouched.
    await expect(enforceLimits(limiter, config, subject(), 900)).resolves.toBeDefined();
    await limiter.close();
  });

  it('concurrent requests never admit more tokens than the allowance', async () => {
    const limiter = makeLimiter();
    const config = parseLimitsConfig({ tokensPerMinutePerKey: 1_000 });
    const who = subject();
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => enforceLimits(limiter, config, who, 100)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'token_quota_exceeded' });
    await limiter.close();
  });

  it('the request limit refuses with rate_limit_exceeded', async () => {
    const limiter = makeLimiter();
    const config = parseLimitsConfig({ requestsPerMinutePerKey: 2, tokensPerMinutePerKey: 1_000 });
    const other = subject();
    await enforceLimits(limiter, config, other, 1);
    await enforceLimits(limiter, config, other, 1);
    await expect(enforceLimits(limiter, config, other, 1)).rejects.toMatchObject({ code: 'rate_limit_exceeded', limit: 'requests_per_minute_per_key' });
    await limiter.close();
  });

  it('an estimate above a whole allowance can never pass: 400 request_exceeds_token_limit naming the limit and what remains, charging nothing', async () => {
    const limiter = makeLimiter();
    const config = parseLimitsConfig({ requestsPerMinutePerKey: 2, tokensPerMinutePerKey: 1_000, tokensPerDayPerKey: 5_000 });
    const who = subject();
    await enforceLimits(limiter, config, who, 300);
    const refusal = await enforceLimits(limiter, config, who, 1_000_000).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RequestExceedsTokenLimitError);
    // The tightest limit the estimate exceeds is named (tokens per minute: 1,000), with what is left of it.
    expect(refusal).toMatchObject({ code: 'request_exceeds_token_limit', status: 400, limit: 'tokens_per_minute_per_key', allowance: 1_000, remaining: 700, param: 'max_tokens' });
    expect((refusal as Error).message).toMatch(/tokens_per_minute_per_key/);
    expect((refusal as Error).message).toMatch(/\(1000 tokens per minute\); 700 tokens of it remain/);
    // Refused before anything was charged: the one request left of the 2 per minute still passes.
    await expect(enforceLimits(limiter, config, who, 700)).resolves.toBeDefined();
    // Between the minute and the day allowance, the day allowance is named.
    const dayOnly = parseLimitsConfig({ tokensPerMinutePerKey: 100_000, tokensPerDayPerKey: 5_000 });
    await expect(enforceLimits(limiter, dayOnly, subject(), 6_000)).rejects.toMatchObject({ code: 'request_exceeds_token_limit', limit: 'tokens_per_day_per_key', allowance: 5_000 });
    await limiter.close();
  });

  it('a 429 names the refusing limit whose wait is longest, with that wait as Retry-After (not a wait borrowed from another limit)', async () => {
    const limiter = makeLimiter();
    const config = parseLimitsConfig({ tokensPerMinutePerKey: 1_000, tokensPerDayPerKey: 1_500 });
    const who = subject();
    await enforceLimits(limiter, config, who, 900);
    // Only the minute allowance refuses: its own wait (seconds), not the day's.
    const minute = (await enforceLimits(limiter, config, who, 200).catch((error: unknown) => error)) as LimitExceededError;
    expect(minute).toMatchObject({ limit: 'tokens_per_minute_per_key' });
    expect(minute.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Both refuse: the day's wait is longer, and the day is named with it.
    const both = (await enforceLimits(limiter, config, who, 700).catch((error: unknown) => error)) as LimitExceededError;
    expect(both).toMatchObject({ limit: 'tokens_per_day_per_key' });
    expect(both.retryAfterSeconds).toBeGreaterThan(60);
    await limiter.close();
  });

  it('settling a reservation leaves exactly the used tokens charged', async () => {
    const limiter = makeLimiter();
    const config = parseLimitsConfig({ tokensPerDayPerKey: 10_000, tokensPerDayPerTenant: 50_000 });
    const who = subject();
    for (let i = 0; i < 4; i += 1) {
      const { reservation } = await reserveLimits(limiter, config, who, 2_000);
      await settleLimits(limiter, reservation, 25);
    }
    expect(await limiter.consume(limitKeys.tokensPerDayPerKey(who), { limit: 10_000, periodMs: 86_400_000 }, 0)).toMatchObject({ remaining: 10_000 - 100 });
    expect(await limiter.consume(limitKeys.tokensPerDayPerTenant(who.tenantId), { limit: 50_000, periodMs: 86_400_000 }, 0)).toMatchObject({ remaining: 50_000 - 100 });
    await limiter.close();
  });

  it('a refused request spends nothing: not the request allowance, not its tenant budgets', async () => {
    const limiter = makeLimiter();
    const config = parseLimitsConfig({ requestsPerMinutePerKey: 2, tokensPerMinutePerKey: 1_000, tokensPerMinutePerTenant: 5_000 });
    const who = subject();
    await enforceLimits(limiter, config, who, 1_000);
    // Refused by the key's token allowance, three times: the request limit (2) was never charged
    // by the refusals, or the third would say rate_limit_exceeded.
    // (Asks of 500: allowances refill continuously, so a 1-token ask could pass on a slow machine.)
    for (let i = 0; i < 3; i += 1) await expect(enforceLimits(limiter, config, who, 500)).rejects.toMatchObject({ code: 'token_quota_exceeded' });
    // The tenant was charged once (1,000 of 5,000): another key of the tenant still gets 1,000 + 1,000 + 1,000 + 1,000.
    const sibling = { tenantId: who.tenantId, apiKeyId: randomUUID() };
    const siblingConfig = parseLimitsConfig({ requestsPerMinutePerKey: 10, tokensPerMinutePerKey: 10_000, tokensPerMinutePerTenant: 5_000 });
    for (let i = 0; i < 4; i += 1) await enforceLimits(limiter, siblingConfig, sibling, 1_000);
    await expect(enforceLimits(limiter, siblingConfig, sibling, 1_000)).rejects.toMatchObject({ code: 'token_quota_exceeded', limit: 'tokens_per_minute_per_tenant' });
    await limiter.close();
  });
});

describe('parseLimitsConfig', () => {
  it('fills defaults and refuses nonsense', () => {
    expect(parseLimitsConfig()).toMatchObject({ requestsPerMinutePerKey: 600, softLimitRatio: 0.8 });
    expect(() => parseLimitsConfig({ tokensPerMinutePerKey: 0 })).toThrow();
    expect(() => parseLimitsConfig({ softLimitRatio: 1.5 })).toThrow();
  });
});

afterAll(async () => {
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${runPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});
