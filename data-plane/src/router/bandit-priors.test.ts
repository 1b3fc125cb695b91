import { describe, expect, it } from 'vitest';
import { pickPriors, tenantPriorsOf } from './bandit-priors';
import { seededRandom } from './random';
import { createBanditStrategy, withPrior } from './strategies/bandit';
import type { RankableCandidate } from './strategies/strategy';

const candidate = (key: string): RankableCandidate => ({ key, model: key, weight: 1, priority: 0, pricePer1kMicros: undefined });
const latency = { loadCost: () => 0 };
const bandit = () => createBanditStrategy({ reward: { success: 1, latency: 0, cost: 0, quality: 0 }, latencyTargetMs: 1000, costTargetPer1kMicros: 1000 });

describe('bandit priors', () => {
  it('adds the prior to what was learned, counting the learned state from Beta(1, 1)', () => {
    expect(withPrior({ alpha: 3, beta: 2 }, { alpha: 11, beta: 1.5 })).toEqual({ alpha: 13, beta: 2.5 });
    expect(withPrior({ alpha: 3, beta: 2 }, undefined)).toEqual({ alpha: 3, beta: 2 });
  });

  it('a fresh bandit ranks the arm with the strong prior first almost always, and half the time without priors', () => {
    const random = seededRandom(7);
    const strategy = bandit();
    const priors = new Map([
      ['a/good', { alpha: 19, beta: 2 }],
      ['a/bad', { alpha: 2, beta: 19 }],
    ]);
    let withPriorsFirst = 0;
    let withoutFirst = 0;
    for (let i = 0; i < 1000; i++) {
      if (strategy.rank([candidate('a/bad'), candidate('a/good')], { random, now: 0, latency, priors })[0]?.key === 'a/good') withPriorsFirst++;
      if (strategy.rank([candidate('a/bad'), candidate('a/good')], { random, now: 0, latency })[0]?.key === 'a/good') withoutFirst++;
    }
    expect(withPriorsFirst).toBeGreaterThan(990);
    expect(withoutFirst).toBeGreaterThan(400);
    expect(withoutFirst).toBeLessThan(600);
  });

  it('picks the canary for about its share of requests and the active priors otherwise', () => {
    const random = seededRandom(1);
    const active = new Map([['a/x', { alpha: 2, beta: 2 }]]);
    const canary = new Map([['a/x', { alpha: 5, beta: 1 }]]);
    let canaries = 0;
    for (let i = 0; i < 10_000; i++) if (pickPriors({ active, canary: { share: 0.1, arms: canary } }, random)?.cohort === 'canary') canaries++;
    expect(canaries).toBeGreaterThan(900);
    expect(canaries).toBeLessThan(1100);
    expect(pickPriors({ active }, random)).toEqual({ cohort: 'active', arms: active });
    expect(pickPriors(undefined, random)).toBeUndefined();
  });

  it('groups stored rows by tenant, route and stage', () => {
    const t = '00000000-0000-4000-8000-000000000001';
    const priors = tenantPriorsOf([
      { tenantId: t, route: 'smart', upstream: 'mock/a', stage: 'active', alpha: 2, beta: 3, canaryShare: null },
      { tenantId: t, route: 'smart', upstream: 'mock/a', stage: 'canary', alpha: 4, beta: 1, canaryShare: 0.1 },
      { tenantId: t, route: 'other', upstream: 'mock/b', stage: 'active', alpha: 1, beta: 1, canaryShare: null },
    ]);
    const smart = priors.get(t)?.get('smart');
    expect(smart?.active.get('mock/a')).toEqual({ alpha: 2, beta: 3 });
    expect(smart?.canary?.share).toBe(0.1);
    expect(smart?.canary?.arms.get('mock/a')).toEqual({ alpha: 4, beta: 1 });
    expect(priors.get(t)?.get('other')?.canary).toBeUndefined();
  });
});
