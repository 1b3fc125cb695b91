import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RateLimit, RateLimiter } from './rate-limiter';

/**
 * The contract every RateLimiter passes. Periods are long (an hour) so that no unit is
 * replenished while a case runs: results never depend on how fast the machine is.
 */
export type RateLimiterFactory = () => RateLimiter | Promise<RateLimiter>;

const HOUR = 3_600_000;

export function runRateLimiterContract(name: string, factory: RateLimiterFactory): void {
  describe(`RateLimiter contract: ${name}`, () => {
    let limiter: RateLimiter;
    const key = (): string => `key-${randomUUID()}`;

    beforeEach(async () => {
      limiter = await factory();
    });
    afterEach(async () => {
      await limiter.close();
    });

    it('admits exactly `limit` units at once, then refuses with a retry hint', async () => {
      const k = key();
      const limit: RateLimit = { limit: 5, periodMs: HOUR };
      const decisions = [];
      for (let i = 0; i < 6; i++) decisions.push(await limiter.consume(k, limit));
      expect(decisions.slice(0, 5).map((d) => d.allowed)).toEqual([true, true, true, true, true]);
      expect(decisions.slice(0, 5).map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0]);
      expect(decisions.slice(0, 5).every((d) => d.retryAfterMs === 0)).toBe(true);
      const refused = decisions[5]!;
      expect(refused.allowed).toBe(false);
      expect(refused.remaining).toBe(0);
      // One unit comes back every period/limit = 12 minutes.
      expect(refused.retryAfterMs).toBeGreaterThan(HOUR / 5 - 60_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(HOUR / 5);
    });

    it('keeps keys independent', async () => {
      const a = key();
      const b = key();
      const limit: RateLimit = { limit: 1, periodMs: HOUR };
      expect((await limiter.consume(a, limit)).allowed).toBe(true);
      expect((await limiter.consume(a, limit)).allowed).toBe(false);
      expect((await limiter.consume(b, limit)).allowed).toBe(true);
    });

    it('charges `cost` units and charges nothing when refused', async () => {
      const k = key();
      const limit: RateLimit = { limit: 10, periodMs: HOUR };
      const first = await limiter.consume(k, limit, 7);
      expect(first).toMatchObject({ allowed: true, remaining: 3 });
      const tooMuch = await limiter.consume(k, limit, 4);
      expect(tooMuch.allowed).toBe(false);
      expect(tooMuch.remaining).toBe(3);
      expect(tooMuch.retryAfterMs).toBeGreaterThan(0);
      // The refusal did not eat the remaining 3.
      expect(await limiter.consume(k, limit, 3)).toMatchObject({ allowed: true, remaining: 0 });
    });

    it('a cost above the burst is never admitted', async () => {
      const refused = await limiter.consume(key(), { limit: 5, periodMs: HOUR }, 6);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
    });

    it('burst caps what can be spent at once below the sustained limit', async () => {
      const k = key();
      const limit: RateLimit = { limit: 100, periodMs: HOUR, burst: 3 };
      const allowed = [];
      for (let i = 0; i < 5; i++) allowed.push((await limiter.consume(k, limit)).allowed);
      expect(allowed).toEqual([true, true, true, false, false]);
    });

    it('cost 0 peeks without charging', async () => {
      const k = key();
      const limit: RateLimit = { limit: 2, periodMs: HOUR };
      expect(await limiter.consume(k, limit, 0)).toMatchObject({ allowed: true, remaining: 2 });
      expect(await limiter.consume(k, limit)).toMatchObject({ allowed: true, remaining: 1 });
    });

    it('rejects nonsensical limits instead of admitting everything', async () => {
      await expect(limiter.consume(key(), { limit: 0, periodMs: HOUR })).rejects.toThrow();
      await expect(limiter.consume(key(), { limit: 5, periodMs: -1 })).rejects.toThrow();
      await expect(limiter.consume(key(), { limit: 5, periodMs: HOUR }, -1)).rejects.toThrow();
      await expect(limiter.consume(key(), { limit: 5, periodMs: HOUR }, 1.5)).rejects.toThrow();
    });

    it('is exact under concurrency: 200 concurrent consumes with limit 50 admit exactly 50', async () => {
      const k = key();
      const limit: RateLimit = { limit: 50, periodMs: HOUR };
      const decisions = await Promise.all(Array.from({ length: 200 }, () => limiter.consume(k, limit)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
      expect(decisions.filter((d) => !d.allowed).every((d) => d.retryAfterMs > 0)).toBe(true);
    });
  });
}
