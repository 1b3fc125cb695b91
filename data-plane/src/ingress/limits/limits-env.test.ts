import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { limitsEnvShape, limitsFromEnv } from './limits-env';

const parse = (env: Record<string, string>) => limitsFromEnv(z.object(limitsEnvShape).parse(env));

describe('limits from the environment', () => {
  it('leaves every unset limit at its default', () => {
    const limits = parse({});
    expect(limits.requestsPerMinutePerKey).toBe(600);
    expect(limits.onRedisDown).toEqual({ requests: 'local', tokensPerMinute: 'local', tokensPerDay: 'local' });
  });

  it('maps each variable onto its limit', () => {
    const limits = parse({
      DATA_PLANE_REQUESTS_PER_MINUTE: '7',
      DATA_PLANE_REQUESTS_PER_MINUTE_PER_TENANT: '70',
      DATA_PLANE_TOKENS_PER_MINUTE_PER_KEY: '100',
      DATA_PLANE_TOKENS_PER_MINUTE_PER_TENANT: '1000',
      DATA_PLANE_TOKENS_PER_DAY_PER_KEY: '10000',
      DATA_PLANE_TOKENS_PER_DAY_PER_TENANT: '100000',
      DATA_PLANE_SOFT_LIMIT_RATIO: '0.5',
      DATA_PLANE_DEFAULT_COMPLETION_TOKENS: '64',
      DATA_PLANE_ON_REDIS_DOWN_REQUESTS: 'open',
      DATA_PLANE_ON_REDIS_DOWN_TOKENS_PER_DAY: 'closed',
      DATA_PLANE_REDIS_LIMITER_TIMEOUT_MS: '250',
    });
    expect(limits).toMatchObject({
      requestsPerMinutePerKey: 7,
      requestsPerMinutePerTenant: 70,
      tokensPerMinutePerKey: 100,
      tokensPerMinutePerTenant: 1000,
      tokensPerDayPerKey: 10_000,
      tokensPerDayPerTenant: 100_000,
      softLimitRatio: 0.5,
      defaultCompletionTokens: 64,
      onRedisDown: { requests: 'open', tokensPerMinute: 'local', tokensPerDay: 'closed' },
      redisTimeoutMs: 250,
    });
  });

  it('refuses nonsense', () => {
    expect(() => parse({ DATA_PLANE_TOKENS_PER_DAY_PER_KEY: '-3' })).toThrow();
    expect(() => parse({ DATA_PLANE_SOFT_LIMIT_RATIO: '1.5' })).toThrow();
  });
});
