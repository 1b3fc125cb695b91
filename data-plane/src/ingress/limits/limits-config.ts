import { z } from 'zod';

const positive = z.number().int().positive();
const backendDownMode = z.enum(['local', 'open', 'closed']);

/**
 * Per limit type, what happens while Redis is unreachable (why these defaults: FAILURE-MODES.md).
 * Every type defaults to `local`: each replica keeps enforcing the limit on its own, seeded with
 * the allowance Redis last reported, so an outage of the limiter is not an outage of the gateway.
 */
export const onRedisDownSchema = z.object({
  requests: backendDownMode.default('local'),
  tokensPerMinute: backendDownMode.default('local'),
  tokensPerDay: backendDownMode.default('local'),
});

/**
 * Per-key and per-tenant limits, every field optional with a default. Token limits are GCRA
 * allowances like the request limits: "per day" is a sliding 24-hour allowance that refills
 * continuously, not a calendar-day quota (no reset stampede at midnight, one stored number per key).
 */
export const limitsConfigSchema = z.object({
  requestsPerMinutePerKey: positive.default(600),
  requestsPerMinutePerTenant: positive.default(6_000),
  tokensPerMinutePerKey: positive.default(200_000),
  tokensPerMinutePerTenant: positive.default(1_000_000),
  tokensPerDayPerKey: positive.default(20_000_000),
  tokensPerDayPerTenant: positive.default(100_000_000),
  /** Share of a limit after which responses carry `x-switchyard-limit-warning` and a bus event is published. */
  softLimitRatio: z.number().gt(0).lt(1).default(0.8),
  /** Completion tokens charged up front when the request sets neither max_tokens nor max_completion_tokens. */
  defaultCompletionTokens: positive.default(512),
  /** Fail open (`local`, `open`) or closed (`closed`) per limit type while Redis is down. Soft warnings are never sent then. */
  onRedisDown: onRedisDownSchema.prefault({}),
  /** A limiter call to Redis unanswered after this long counts as Redis down (default 500 ms, see fail-safe-rate-limiter.ts). */
  redisTimeoutMs: positive.optional(),
});

export type LimitsConfigInput = z.input<typeof limitsConfigSchema>;
export type LimitsConfig = z.output<typeof limitsConfigSchema>;

export function parseLimitsConfig(input: LimitsConfigInput = {}): LimitsConfig {
  return limitsConfigSchema.parse(input);
}
