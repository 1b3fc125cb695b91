export type { BackendDownMode, RateLimit, RateLimitDecision, RateLimiter, RateLimitSettlement } from './rate-limiter';
export { createFailSafeRateLimiter, RateLimiterUnavailableError } from './fail-safe-rate-limiter';
export type { FailSafeRateLimiter, FailSafeRateLimiterOptions } from './fail-safe-rate-limiter';
export { createInProcessRateLimiter } from './in-process-rate-limiter';
export { createRedisRateLimiter } from './redis-rate-limiter';
export type { RedisRateLimiterOptions } from './redis-rate-limiter';
export { InvalidRateLimitError } from './gcra';
