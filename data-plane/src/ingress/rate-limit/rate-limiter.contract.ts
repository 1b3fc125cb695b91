import { randomUUID } from 'node:crypto';
import { clusterKeyTag } from '@switchyard/redis-connection';
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
    // The keys of one case share a hash tag, as keys decided together must (see RateLimiter).
    let tag = '';
    const key = (): string => `key:${tag}:${randomUUID()}`;

    beforeEach(async () => {
      tag = clusterKeyTag(randomUUID());
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

    describe('settle: a reservation moved to what was used', () => {
      it('refunds the unused part: after settling, exactly the used units are consumed', async () => {
        const [a, b] = [key(), key()];
        const limit: RateLimit = { limit: 1_000, periodMs: HOUR };
        await limiter.consumeAll([
          { key: a, limit, cost: 400 },
          { key: b, limit, cost: 400 },
        ]);
        await limiter.settle([
          { key: a, limit, reserved: 400, used: 25 },
          { key: b, limit, reserved: 400, used: 400 },
        ]);
        expect(await limiter.consume(a, limit, 0)).toMatchObject({ remaining: 975 });
        expect(await limiter.consume(b, limit, 0)).toMatchObject({ remaining: 600 });
      });

      it('charges usage above the reservation even past the allowance (the work was done); later requests wait for it', async () => {
        const k = key();
        const limit: RateLimit = { limit: 100, periodMs: HOUR };
        await limiter.consume(k, limit, 90);
        await limiter.settle([{ key: k, limit, reserved: 90, used: 120 }]);
        const after = await limiter.consume(k, limit, 1);
        expect(after).toMatchObject({ allowed: false, remaining: 0 });
        // 20 units over plus the one asked for: 21 emission intervals of 36 s.
        expect(after.retryAfterMs).toBeGreaterThan(20 * 36_000);
        expect(after.retryAfterMs).toBeLessThanOrEqual(21 * 36_000);
      });

      it('never refunds a key above a fresh allowance', async () => {
        const k = key();
        const limit: RateLimit = { limit: 10, periodMs: HOUR };
        await limiter.consume(k, limit, 2);
        await limiter.settle([{ key: k, limit, reserved: 8, used: 0 }]);
        expect(await limiter.consume(k, limit, 0)).toMatchObject({ remaining: 10 });
        await limiter.settle([{ key: key(), limit, reserved: 5, used: 0 }]);
        expect((await limiter.consume(k, limit, 11)).allowed).toBe(false);
      });

      it('is exact under concurrency: reserve, then settle, from many requests at once', async () => {
        const k = key();
        const limit: RateLimit = { limit: 10_000, periodMs: HOUR };
        await Promise.all(
          Array.from({ length: 100 }, async (_, i) => {
            const [decision] = await limiter.consumeAll([{ key: k, limit, cost: 90 }]);
            expect(decision?.allowed).toBe(true);
            await limiter.settle([{ key: k, limit, reserved: 90, used: i % 10 }]);
          }),
        );
        // Used: 10 × (0 + 1 + … + 9) = 450.
        expect(await limiter.consume(k, limit, 0)).toMatchObject({ remaining: 10_000 - 450 });
      });

      it('settling nothing, or exactly what was reserved, changes nothing; nonsensical settlements are refused', async () => {
        const k = key();
        const limit: RateLimit = { limit: 10, periodMs: HOUR };
        await limiter.consume(k, limit, 4);
        await limiter.settle([]);
        await limiter.settle([{ key: k, limit, reserved: 4, used: 4 }]);
        expect(await limiter.consume(k, limit, 0)).toMatchObject({ remaining: 6 });
        await expect(limiter.settle([{ key: k, limit, reserved: 4, used: -1 }])).rejects.toThrow();
        await expect(limiter.settle([{ key: k, limit, reserved: 1.5, used: 0 }])).rejects.toThrow();
        await expect(limiter.settle([{ key: k, limit: { limit: 0, periodMs: HOUR }, reserved: 4, used: 0 }])).rejects.toThrow();
        expect(await limiter.consume(k, limit, 0)).toMatchObject({ remaining: 6 });
      });
    });

    describe('consumeAll: every limit of a request at once', () => {
      it('charges every check and reports each one', async () => {
        const [a, b] = [key(), key()];
        const decisions = await limiter.consumeAll([
          { key: a, limit: { limit: 5, periodMs: HOUR }, cost: 1 },
          { key: b, limit: { limit: 100, periodMs: HOUR }, cost: 30 },
        ]);
        expect(decisions).toEqual([
          { allowed: true, remaining: 4, retryAfterMs: 0 },
          { allowed: true, remaining: 70, retryAfterMs: 0 },
        ]);
        expect(await limiter.consume(b, { limit: 100, periodMs: HOUR }, 0)).toMatchObject({ allowed: true, remaining: 70 });
      });

      it('charges nothing when any check refuses, and says which one and when to retry', async () => {
        const [a, b] = [key(), key()];
        const small = { limit: 10, periodMs: HOUR };
        expect((await limiter.consume(b, small, 8)).allowed).toBe(true);
        const decisions = await limiter.consumeAll([
          { key: a, limit: { limit: 5, periodMs: HOUR }, cost: 1 },
          { key: b, limit: small, cost: 3 },
        ]);
        expect(decisions[0]).toEqual({ allowed: true, remaining: 5, retryAfterMs: 0 });
        expect(decisions[1]).toMatchObject({ allowed: false, remaining: 2 });
        expect(decisions[1]!.retryAfterMs).toBeGreaterThan(0);
        // Neither key was charged by the refused request.
        expect(await limiter.consume(a, { limit: 5, periodMs: HOUR }, 0)).toMatchObject({ remaining: 5 });
        expect(await limiter.consume(b, small, 2)).toMatchObject({ allowed: true, remaining: 0 });
      });

      it('a key listed twice is charged twice', async () => {
        const k = key();
        const limit: RateLimit = { limit: 3, periodMs: HOUR };
        const twice = await limiter.consumeAll([
          { key: k, limit, cost: 2 },
          { key: k, limit, cost: 2 },
        ]);
        expect(twice.map((d) => d.allowed)).toEqual([true, false]);
        expect(await limiter.consume(k, limit, 0)).toMatchObject({ remaining: 3 });
      });

      it('an empty batch admits without touching anything', async () => {
        expect(await limiter.consumeAll([])).toEqual([]);
      });

      it('rejects a nonsensical check without charging the others', async () => {
        const k = key();
        await expect(
          limiter.consumeAll([
            { key: k, limit: { limit: 5, periodMs: HOUR }, cost: 1 },
            { key: key(), limit: { limit: 0, periodMs: HOUR }, cost: 1 },
          ]),
        ).rejects.toThrow();
        expect(await limiter.consume(k, { limit: 5, periodMs: HOUR }, 0)).toMatchObject({ remaining: 5 });
      });

      it('is exact under concurrency across limits: the tightest admits exactly its limit, the others are charged exactly as often', async () => {
        const [tight, loose] = [key(), key()];
        const checks = [
          { key: loose, limit: { limit: 1_000, periodMs: HOUR }, cost: 2 },
          { key: tight, limit: { limit: 40, periodMs: HOUR }, cost: 1 },
        ];
        const decisions = await Promise.all(Array.from({ length: 150 }, () => limiter.consumeAll(checks)));
        expect(decisions.filter((d) => d.every((one) => one.allowed))).toHaveLength(40);
        expect(await limiter.consume(loose, { limit: 1_000, periodMs: HOUR }, 0)).toMatchObject({ remaining: 1_000 - 80 });
      });
    });
  });
}
