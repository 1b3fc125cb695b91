import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random';
import { createBanditStrategy } from './bandit';
import { sampleBeta } from './beta-sample';
import { createCheapestStrategy } from './cheapest';
import { createStrategy } from './create-strategy';
import { createLeastLatencyStrategy } from './least-latency';
import { createPriorityStrategy } from './priority';
import { runStrategyContract } from './strategy.contract';
import type { RankableCandidate, RankContext } from './strategy';
import { createWeightedStrategy } from './weighted';

const banditOptions = { reward: { success: 1, latency: 0, cost: 0, quality: 0 }, latencyTargetMs: 1_000, costTargetPer1kMicros: 1_000 };

runStrategyContract('weighted', createWeightedStrategy);
runStrategyContract('priority', createPriorityStrategy);
runStrategyContract('least-latency', createLeastLatencyStrategy);
runStrategyContract('cheapest', createCheapestStrategy);
runStrategyContract('bandit', () => createBanditStrategy(banditOptions));
runStrategyContract('createStrategy(bandit) with every reward part', () =>
  createStrategy({ kind: 'bandit', reward: { success: 1, latency: 1, cost: 1, quality: 1 }, latencyTargetMs: 1_000, costTargetPer1kMicros: 1_000 }),
);

const candidate = (key: string, extra: Partial<RankableCandidate> = {}): RankableCandidate => ({
  key,
  model: key,
  weight: 1,
  priority: 0,
  pricePer1kMicros: undefined,
  ...extra,
});
const context = (random = seededRandom(1), loadCost: (key: string) => number = () => 0): RankContext => ({
  random,
  now: 0,
  latency: { loadCost },
});

function firstPicks(rank: () => RankableCandidate[], rounds: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < rounds; i++) {
    const key = rank()[0]!.key;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe('weighted', () => {
  it('picks first in proportion to weight', () => {
    const random = seededRandom(11);
    const strategy = createWeightedStrategy();
    const candidates = [candidate('a', { weight: 1 }), candidate('b', { weight: 3 }), candidate('c', { weight: 6 })];
    const counts = firstPicks(() => strategy.rank(candidates, context(random)), 20_000);
    expect((counts.get('a') ?? 0) / 20_000).toBeCloseTo(0.1, 1);
    expect((counts.get('b') ?? 0) / 20_000).toBeCloseTo(0.3, 1);
    expect((counts.get('c') ?? 0) / 20_000).toBeCloseTo(0.6, 1);
  });
});

describe('priority', () => {
  it('orders by priority, ties in configuration order', () => {
    const ranked = createPriorityStrategy().rank(
      [candidate('low', { priority: 5 }), candidate('first', { priority: 0 }), candidate('tie-1', { priority: 1 }), candidate('tie-2', { priority: 1 })],
      context(),
    );
    expect(ranked.map((c) => c.key)).toEqual(['first', 'tie-1', 'tie-2', 'low']);
  });
});

describe('least-latency (peak-EWMA, power of two choices)', () => {
  it('of the two sampled, the cheaper goes first; the slowest upstream never wins against any other', () => {
    const strategy = createLeastLatencyStrategy();
    const costs: Record<string, number> = { fast: 10, medium: 50, slow: 500 };
    const random = seededRandom(5);
    const candidates = [candidate('fast'), candidate('medium'), candidate('slow')];
    const counts = firstPicks(() => strategy.rank(candidates, context(random, (k) => costs[k] ?? 0)), 3_000);
    expect(counts.get('slow') ?? 0).toBe(0);
    // fast wins whenever it is sampled (2 of 3 pairs); medium only in the pair {medium, slow}.
    expect((counts.get('fast') ?? 0) / 3_000).toBeCloseTo(2 / 3, 1);
    expect((counts.get('medium') ?? 0) / 3_000).toBeCloseTo(1 / 3, 1);
  });

  it('orders the fail-over tail by cost', () => {
    const costs: Record<string, number> = { a: 30, b: 10, c: 20 };
    const ranked = createLeastLatencyStrategy().rank([candidate('a'), candidate('b'), candidate('c')], context(seededRandom(2), (k) => costs[k] ?? 0));
    const tail = ranked.slice(1).map((c) => costs[c.key]!);
    expect(tail).toEqual([...tail].sort((x, y) => x - y));
  });
});

describe('cheapest', () => {
  it('cheapest first, unpriced last', () => {
    const ranked = createCheapestStrategy().rank(
      [candidate('unknown'), candidate('pricey', { pricePer1kMicros: 900 }), candidate('cheap', { pricePer1kMicros: 100 })],
      context(),
    );
    expect(ranked.map((c) => c.key)).toEqual(['cheap', 'pricey', 'unknown']);
  });
});

describe('Thompson-sampling bandit', () => {
  it('converges on the arm that succeeds', () => {
    const random = seededRandom(3);
    const strategy = createBanditStrategy(banditOptions);
    const candidates = [candidate('good'), candidate('bad')];
    for (let i = 0; i < 300; i++) {
      const pick = strategy.rank(candidates, context(random))[0]!;
      strategy.observe!({ key: pick.key, success: pick.key === 'good' ? random() < 0.9 : random() < 0.2, latencyMs: 100, pricePer1kMicros: undefined });
    }
    const counts = firstPicks(() => strategy.rank(candidates, context(random)), 1_000);
    expect(counts.get('good') ?? 0).toBeGreaterThan(900);
  });

  it('quality feedback moves the posterior of the arm it names, and only by its reward share', () => {
    const strategy = createBanditStrategy({ ...banditOptions, reward: { success: 1, latency: 0, cost: 0, quality: 3 } });
    strategy.feedback!('a', 1);
    expect(strategy.posterior('a')).toEqual({ alpha: 1.75, beta: 1 });
    strategy.feedback!('a', 0);
    expect(strategy.posterior('a')).toEqual({ alpha: 1.75, beta: 1.75 });
    expect(strategy.posterior('b')).toEqual({ alpha: 1, beta: 1 });
  });

  it('rewards speed and price by the route weights, and a failure earns nothing', () => {
    const strategy = createBanditStrategy({ reward: { success: 0, latency: 1, cost: 1, quality: 0 }, latencyTargetMs: 1_000, costTargetPer1kMicros: 1_000 });
    strategy.observe!({ key: 'a', success: true, latencyMs: 250, pricePer1kMicros: 500 });
    // latency: 0.5 × 0.75, cost: 0.5 × 0.5
    expect(strategy.posterior('a').alpha).toBeCloseTo(1 + 0.375 + 0.25);
    expect(strategy.posterior('a').beta).toBeCloseTo(1 + 0.125 + 0.25);
    strategy.observe!({ key: 'b', success: false, latencyMs: 1, pricePer1kMicros: 1 });
    expect(strategy.posterior('b')).toEqual({ alpha: 1, beta: 2 });
  });

  it('clamps hostile scores into [0, 1]', () => {
    const strategy = createBanditStrategy({ ...banditOptions, reward: { success: 0, latency: 0, cost: 0, quality: 1 } });
    strategy.feedback!('a', 50);
    strategy.feedback!('a', -50);
    expect(strategy.posterior('a')).toEqual({ alpha: 2, beta: 2 });
  });
});

describe('Beta sampling', () => {
  it('has the Beta mean, including shapes below 1', () => {
    const random = seededRandom(99);
    for (const [alpha, beta] of [
      [2, 5],
      [0.5, 0.5],
      [30, 10],
    ] as const) {
      const draws = Array.from({ length: 20_000 }, () => sampleBeta(alpha, beta, random));
      expect(draws.every((x) => x >= 0 && x <= 1)).toBe(true);
      expect(draws.reduce((a, b) => a + b, 0) / draws.length).toBeCloseTo(alpha / (alpha + beta), 2);
    }
  });
});
