import { z } from 'zod';
import { parseLimitsConfig, type LimitsConfig } from './limits-config';

const positive = z.coerce.number().int().positive().optional();
const backendDownMode = z.enum(['local', 'open', 'closed']).optional();

/**
 * The environment variables that set every request and token limit, shared by the standalone
 * data plane and `npm start` so both read the same names. Unset = the default in limits-config.ts.
 */
export const limitsEnvShape = {
  DATA_PLANE_REQUESTS_PER_MINUTE: positive,
  DATA_PLANE_REQUESTS_PER_MINUTE_PER_TENANT: positive,
  DATA_PLANE_TOKENS_PER_MINUTE_PER_KEY: positive,
  DATA_PLANE_TOKENS_PER_MINUTE_PER_TENANT: positive,
  DATA_PLANE_TOKENS_PER_DAY_PER_KEY: positive,
  DATA_PLANE_TOKENS_PER_DAY_PER_TENANT: positive,
  DATA_PLANE_SOFT_LIMIT_RATIO: z.coerce.number().gt(0).lt(1).optional(),
  DATA_PLANE_DEFAULT_COMPLETION_TOKENS: positive,
  /** Per limit type while Redis is down: local | open | closed (FAILURE-MODES.md). */
  DATA_PLANE_ON_REDIS_DOWN_REQUESTS: backendDownMode,
  DATA_PLANE_ON_REDIS_DOWN_TOKENS_PER_MINUTE: backendDownMode,
  DATA_PLANE_ON_REDIS_DOWN_TOKENS_PER_DAY: backendDownMode,
  /** A limiter call to Redis slower than this counts as Redis down (the limit then falls back per type; default 500). */
  DATA_PLANE_REDIS_LIMITER_TIMEOUT_MS: positive,
};

export type LimitsEnv = { [K in keyof typeof limitsEnvShape]?: z.output<(typeof limitsEnvShape)[K]> };

/** The limits an already parsed environment sets. */
export function limitsFromEnv(e: LimitsEnv): LimitsConfig {
  return parseLimitsConfig({
    requestsPerMinutePerKey: e.DATA_PLANE_REQUESTS_PER_MINUTE,
    requestsPerMinutePerTenant: e.DATA_PLANE_REQUESTS_PER_MINUTE_PER_TENANT,
    tokensPerMinutePerKey: e.DATA_PLANE_TOKENS_PER_MINUTE_PER_KEY,
    tokensPerMinutePerTenant: e.DATA_PLANE_TOKENS_PER_MINUTE_PER_TENANT,
    tokensPerDayPerKey: e.DATA_PLANE_TOKENS_PER_DAY_PER_KEY,
    tokensPerDayPerTenant: e.DATA_PLANE_TOKENS_PER_DAY_PER_TENANT,
    softLimitRatio: e.DATA_PLANE_SOFT_LIMIT_RATIO,
    defaultCompletionTokens: e.DATA_PLANE_DEFAULT_COMPLETION_TOKENS,
    onRedisDown: {
      requests: e.DATA_PLANE_ON_REDIS_DOWN_REQUESTS,
      tokensPerMinute: e.DATA_PLANE_ON_REDIS_DOWN_TOKENS_PER_MINUTE,
      tokensPerDay: e.DATA_PLANE_ON_REDIS_DOWN_TOKENS_PER_DAY,
    },
    redisTimeoutMs: e.DATA_PLANE_REDIS_LIMITER_TIMEOUT_MS,
  });
}
