import { gcra, validateRateLimit } from './gcra';
import type { RateLimiter } from './rate-limiter';

/** Correct within one process (the embedded default). `clock` returns milliseconds. */
export function createInProcessRateLimiter(clock: () => number = Date.now): RateLimiter {
  const tats = new Map<string, { tat: number; expiresAt: number }>();
  let decisions = 0;

  function sweepExpired(now: number): void {
    for (const [key, state] of tats) if (state.expiresAt <= now) tats.delete(key);
  }

  return {
    async consume(key, limit, cost = 1) {
      validateRateLimit(limit, cost);
      const now = clock();
      const stored = tats.get(key);
      const result = gcra(stored && stored.expiresAt > now ? stored.tat : undefined, now, limit, cost);
      if (result.newTat !== undefined) tats.set(key, { tat: result.newTat, expiresAt: now + result.ttlMs });
      // Amortised clean-up keeps memory bounded by the number of recently active keys.
      decisions += 1;
      if (decisions % 10_000 === 0) sweepExpired(now);
      return result.decision;
    },
    async close() {
      tats.clear();
    },
  };
}
