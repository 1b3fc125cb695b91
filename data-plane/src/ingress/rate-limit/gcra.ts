import type { RateLimit, RateLimitDecision } from './rate-limiter';

/**
 * GCRA (generic cell rate algorithm), pure. State is one number per key: the theoretical
 * arrival time (TAT). Each unit advances TAT by the emission interval T = period / limit; a
 * request is admitted while TAT stays within `burst * T` of now. The Redis Lua script in
 * redis-rate-limiter.ts is a line-by-line transcription of this function and of
 * {@link gcraAll}; keep them in step. See https://brandur.org/rate-limiting for the derivation.
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

export interface GcraCheck {
  key: string;
  limit: RateLimit;
  cost: number;
}

/**
 * Every check of a request, all or nothing: decided in order against `stored` TATs (a key
 * listed twice sees its own earlier charge). Returns the decisions and, only when every check
 * is admitted, the TATs to write (`writes` is empty when any check refused: nothing is charged).
 */
export function gcraAll(
  checks: readonly GcraCheck[],
  stored: (key: string) => number | undefined,
  nowMs: number,
): { decisions: RateLimitDecision[]; writes: Map<string, { tat: number; ttlMs: number }> } {
  const seen = new Map<string, number | undefined>();
  const writes = new Map<string, { tat: number; ttlMs: number }>();
  const decisions: RateLimitDecision[] = [];
  let refused = false;
  for (const check of checks) {
    const tat = seen.has(check.key) ? seen.get(check.key) : stored(check.key);
    const result = gcra(tat, nowMs, check.limit, check.cost);
    if (result.newTat === undefined) {
      refused = true;
      decisions.push(result.decision);
      continue;
    }
    seen.set(check.key, result.newTat);
    if (result.ttlMs > 0) writes.set(check.key, { tat: result.newTat, ttlMs: result.ttlMs });
    decisions.push(result.decision);
  }
  if (!refused) return { decisions, writes };
  // Nothing is charged: an admitted check reports what it has left without this request
  // (admitted, its remaining was floor(room - cost) with an integer cost, so room = that + cost).
  const uncharged = decisions.map((decision, index) => (decision.allowed ? { ...decision, remaining: decision.remaining + (checks[index] as GcraCheck).cost } : decision));
  return { decisions: uncharged, writes: new Map() };
}

/**
 * Settling a reservation, pure: move a key's TAT by `delta` units (`used - reserved`). A refund
 * (negative) never takes the TAT below now (a key cannot hold more than a fresh key's allowance:
 * what time already gave back is not given twice); a charge (positive) is applied whatever the
 * TAT, even past the burst (the work was done). `tat: undefined` means the key is as good as
 * fresh (delete it). The Redis script in redis-rate-limiter.ts transcribes this.
 */
export function gcraSettle(storedTat: number | undefined, nowMs: number, limit: RateLimit, delta: number): { tat: number | undefined; ttlMs: number } {
  const emissionInterval = limit.periodMs / limit.limit;
  const tat = Math.max(storedTat ?? nowMs, nowMs);
  const newTat = tat + emissionInterval * delta;
  if (newTat <= nowMs) return { tat: undefined, ttlMs: 0 };
  return { tat: newTat, ttlMs: Math.ceil(newTat - nowMs) };
}

export function validateSettlement(limit: RateLimit, reserved: number, used: number): void {
  validateRateLimit(limit, reserved);
  if (!Number.isInteger(used) || used < 0) throw new InvalidRateLimitError(`used must be a non-negative integer, got ${used}`);
}
