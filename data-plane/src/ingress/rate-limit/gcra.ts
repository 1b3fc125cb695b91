import type { RateLimit, RateLimitDecision } from './rate-limiter';

/**
 * GCRA (generic cell rate algorithm), pure. State is one number per key: the theoretical
 * arrival time (TAT). Each unit advances TAT by the emission interval T = period / limit; a
 * request is admitted while TAT stays within `burst * T` of now. The Redis Lua script in
 * redis-rate-limiter.ts is a line-by-line transcription of this function; keep them in step.
 * See https://brandur.org/rate-limiting for the derivation.
 */
export interface GcraResult {
  decision: RateLimitDecision;
  /** New TAT to store when allowed; undefined when refused (nothing is charged). */
  newTat: number | undefined;
  /** How long the stored TAT stays meaningful (after that the key is as good as fresh). */
  ttlMs: number;
}

export class InvalidRateLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRateLimitError';
  }
}

export function validateRateLimit(limit: RateLimit, cost: number): void {
  if (!Number.isFinite(limit.limit) || limit.limit <= 0) throw new InvalidRateLimitError(`limit must be > 0, got ${limit.limit}`);
  if (!Number.isFinite(limit.periodMs) || limit.periodMs <= 0) throw new InvalidRateLimitError(`periodMs must be > 0, got ${limit.periodMs}`);
  const burst = limit.burst ?? limit.limit;
  if (!Number.isFinite(burst) || burst <= 0) throw new InvalidRateLimitError(`burst must be > 0, got ${burst}`);
  if (!Number.isInteger(cost) || cost < 0) throw new InvalidRateLimitError(`cost must be a non-negative integer, got ${cost}`);
}

export function gcra(storedTat: number | undefined, nowMs: number, limit: RateLimit, cost: number): GcraResult {
  const emissionInterval = limit.periodMs / limit.limit;
  const burst = limit.burst ?? limit.limit;
  const tolerance = emissionInterval * burst;
  const tat = Math.max(storedTat ?? nowMs, nowMs);
  const newTat = tat + emissionInterval * cost;
  const allowAt = newTat - tolerance;
  if (nowMs < allowAt) {
    const remaining = Math.max(0, Math.floor((tolerance - (tat - nowMs)) / emissionInterval));
    return { decision: { allowed: false, remaining, retryAfterMs: Math.ceil(allowAt - nowMs) }, newTat: undefined, ttlMs: 0 };
  }
  const remaining = Math.max(0, Math.floor((tolerance - (newTat - nowMs)) / emissionInterval));
  return { decision: { allowed: true, remaining, retryAfterMs: 0 }, newTat, ttlMs: Math.ceil(newTat - nowMs) };
}
