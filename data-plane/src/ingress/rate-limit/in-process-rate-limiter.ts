import { gcraAll, gcraSettle, validateRateLimit, validateSettlement } from './gcra';
import type { RateLimitCheck, RateLimitDecision, RateLimiter } from './rate-limiter';

/** Correct within one process (the embedded default). `clock` returns milliseconds. */
export function createInProcessRateLimiter(clock: () => number = Date.now): RateLimiter {
  const tats = new Map<string, { tat: number; expiresAt: number }>();
  let calls = 0;

  function sweepExpired(now: number): void {
    for (const [key, state] of tats) if (state.expiresAt <= now) tats.delete(key);
  }

  // Synchronous from read to write: atomic within this process.
  function decide(checks: readonly RateLimitCheck[]): RateLimitDecision[] {
    for (const check of checks) validateRateLimit(check.limit, check.cost);
    const now = clock();
    const { decisions, writes } = gcraAll(
      checks,
      (key) => {
        const stored = tats.get(key);
        return stored && stored.expiresAt > now ? stored.tat : undefined;
      },
      now,
    );
    for (const [key, write] of writes) tats.set(key, { tat: write.tat, expiresAt: now + write.ttlMs });
    // Amortised clean-up keeps memory bounded by the number of recently active keys.
    calls += 1;
    if (calls % 10_000 === 0) sweepExpired(now);
    return decisions;
  }

  return {
    async consume(key, limit, cost = 1) {
      return decide([{ key, limit, cost }])[0] as RateLimitDecision;
    },
    async consumeAll(checks) {
      return decide(checks);
    },
    async settle(settlements) {
      for (const { limit, reserved, used } of settlements) validateSettlement(limit, reserved, used);
      const now = clock();
      for (const { key, limit, reserved, used } of settlements) {
        if (used === reserved) continue;
        const stored = tats.get(key);
        const result = gcraSettle(stored && stored.expiresAt > now ? stored.tat : undefined, now, limit, used - reserved);
        if (result.tat === undefined) tats.delete(key);
        else tats.set(key, { tat: result.tat, expiresAt: now + result.ttlMs });
      }
    },
    async close() {
      tats.clear();
    },
  };
}
