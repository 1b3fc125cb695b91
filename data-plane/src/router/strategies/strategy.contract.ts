import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random';
import type { RankableCandidate, RankContext, Strategy } from './strategy';

/**
 * The suite every routing strategy passes (Hono's `runTest({ newRouter })` idea): whatever the
 * strategy, `rank` returns every candidate exactly once, leaves its input alone, is reproducible
 * with the same random source, and copes with one candidate and with learning signals.
 */
export function runStrategyContract(name: string, newStrategy: () => Strategy): void {
  const candidates: RankableCandidate[] = [
    { key: 'a/m1', model: 'm1', weight: 1, priority: 2, pricePer1kMicros: 300 },
    { key: 'b/m2', model: 'm2', weight: 3, priority: 0, pricePer1kMicros: 100 },
    { key: 'c/m3', model: 'm3', weight: 2, priority: 1, pricePer1kMicros: undefined },
    { key: 'd/m4', model: 'm4', weight: 0.5, priority: 1, pricePer1kMicros: 200 },
  ];
  const context = (seed: number): RankContext => ({
    random: seededRandom(seed),
    now: 1_000_000,
    latency: { loadCost: (key) => ({ 'a/m1': 50, 'b/m2': 10, 'c/m3': 0, 'd/m4': 200 })[key] ?? 0 },
  });

  describe(`routing strategy contract: ${name}`, () => {
    it('ranks every candidate exactly once', () => {
      const strategy = newStrategy();
      for (let seed = 1; seed <= 50; seed++) {
        const ranked = strategy.rank(candidates, context(seed));
        expect(ranked).toHaveLength(candidates.length);
        expect(new Set(ranked.map((c) => c.key))).toEqual(new Set(candidates.map((c) => c.key)));
      }
    });

    it('does not modify its input', () => {
      const input = candidates.map((c) => ({ ...c }));
      const frozen = Object.freeze([...input]);
      newStrategy().rank(frozen, context(7));
      expect(input).toEqual(candidates);
    });

    it('is reproducible with the same random source', () => {
      expect(newStrategy().rank(candidates, context(42))).toEqual(newStrategy().rank(candidates, context(42)));
    });

    it('returns the only candidate, and nothing for none', () => {
      const only = candidates[2]!;
      expect(newStrategy().rank([only], context(3))).toEqual([only]);
      expect(newStrategy().rank([], context(3))).toEqual([]);
    });

    it('keeps ranking every candidate after observations and feedback, including unknown keys', () => {
      const strategy = newStrategy();
      strategy.observe?.({ key: 'a/m1', success: false, latencyMs: 10_000, pricePer1kMicros: 300 });
      strategy.observe?.({ key: 'b/m2', success: true, latencyMs: 20, pricePer1kMicros: 100 });
      strategy.observe?.({ key: 'zz/unknown', success: true, latencyMs: 20, pricePer1kMicros: undefined });
      strategy.feedback?.('c/m3', 1);
      strategy.feedback?.('zz/unknown', 0);
      const ranked = strategy.rank(candidates, context(9));
      expect(new Set(ranked.map((c) => c.key))).toEqual(new Set(candidates.map((c) => c.key)));
    });
  });
}
