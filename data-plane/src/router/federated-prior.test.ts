import { describe, expect, it } from 'vitest';
import { armPriors, blendPriors, DEFAULT_FEDERATED_PRIOR_OPTIONS, expectedReward, federatedPrior, type FederatedEvidence, type RewardDefinition } from './federated-prior';
import { withFederatedLatency } from './federated-latency';
import { seededRandom } from './random';
import { createBanditStrategy, withPrior } from './strategies/bandit';
import type { RankableCandidate } from './strategies/strategy';

const successOnly: RewardDefinition = { reward: { success: 1, latency: 0, cost: 0, quality: 0 }, latencyTargetMs: 1_000, costTargetPer1kMicros: 10_000 };
const failing: FederatedEvidence = { successRate: 0.05, latencyMs: 200, quality: null, volume: 1_000 };
const healthy: FederatedEvidence = { successRate: 0.98, latencyMs: 200, quality: null, volume: 1_000 };
const mean = (p: { alpha: number; beta: number }) => p.alpha / (p.alpha + p.beta);
const weight = (p: { alpha: number; beta: number }) => p.alpha + p.beta - 2;

describe('federated evidence as a bandit prior', () => {
  it("scores evidence as the route's bandit scores a local outcome", () => {
    expect(expectedReward(failing, successOnly, undefined)).toBeCloseTo(0.05);
    const all: RewardDefinition = { reward: { success: 1, latency: 1, cost: 1, quality: 1 }, latencyTargetMs: 1_000, costTargetPer1kMicros: 10_000 };
    // success 0.8; latency 0.8 × (1 − 0.5); cost 0.8 × (1 − 0.2); quality 0.6
    expect(expectedReward({ successRate: 0.8, latencyMs: 500, quality: 0.6, volume: 10 }, all, 2_000)).toBeCloseTo((0.8 + 0.4 + 0.64 + 0.6) / 4);
    // No feedback: quality leaves the mean; an unknown price scores 0 for cost, as locally.
    expect(expectedReward({ successRate: 0.8, latencyMs: 500, quality: null, volume: 10 }, all, undefined)).toBeCloseTo((0.8 + 0.4 + 0) / 3);
    // Latency past the target scores 0, never below.
    expect(expectedReward({ successRate: 1, latencyMs: 5_000, quality: null, volume: 10 }, { ...all, reward: { success: 0, latency: 1, cost: 0, quality: 0 } }, undefined)).toBe(0);
  });

  it('is worth at most a few observations however much traffic stands behind it, and less for little traffic', () => {
    const huge = federatedPrior({ ...failing, volume: 1e12 }, successOnly, undefined);
    expect(weight(huge)).toBeLessThanOrEqual(DEFAULT_FEDERATED_PRIOR_OPTIONS.maxPseudoObservations + 1e-9);
    expect(weight(huge)).toBeGreaterThan(7.9);
    expect(mean(huge)).toBeLessThan(0.2);
    const little = federatedPrior({ ...failing, volume: 2 }, successOnly, undefined);
    expect(weight(little)).toBeLessThan(1);
    expect(federatedPrior({ ...failing, volume: 0 }, successOnly, undefined)).toEqual({ alpha: 1, beta: 1 });
    expect(federatedPrior({ ...failing, volume: Number.NaN }, successOnly, undefined)).toEqual({ alpha: 1, beta: 1 });
  });

  it("adds to the optimizer's prior instead of replacing it", () => {
    const optimizer = { alpha: 15, beta: 5 };
    const federated = federatedPrior(failing, successOnly, undefined);
    const blended = blendPriors(optimizer, federated)!;
    expect(blended.alpha).toBeCloseTo(optimizer.alpha + federated.alpha - 1);
    expect(blended.beta).toBeCloseTo(optimizer.beta + federated.beta - 1);
    expect(mean(blended)).toBeLessThan(mean(optimizer));
    expect(blendPriors(optimizer, undefined)).toBe(optimizer);
    expect(blendPriors(undefined, federated)).toBe(federated);
    expect(blendPriors(undefined, undefined)).toBeUndefined();
  });

  it('blends per arm: only arms with evidence change, the optimizer map is not mutated', () => {
    const optimizer = new Map([['p/a', { alpha: 10, beta: 2 }], ['p/b', { alpha: 2, beta: 10 }]]);
    const evidence = new Map([['p/a', failing]]);
    const priors = armPriors([{ key: 'p/a', pricePer1kMicros: undefined }, { key: 'p/b', pricePer1kMicros: undefined }], successOnly, optimizer, (key) => evidence.get(key))!;
    expect(priors.get('p/b')).toEqual({ alpha: 2, beta: 10 });
    expect(mean(priors.get('p/a')!)).toBeLessThan(10 / 12);
    expect(optimizer.get('p/a')).toEqual({ alpha: 10, beta: 2 });
    expect(armPriors([{ key: 'p/a', pricePer1kMicros: undefined }], successOnly, optimizer, () => undefined)).toBe(optimizer);
    expect(armPriors([{ key: 'p/a', pricePer1kMicros: undefined }], successOnly, undefined, () => undefined)).toBeUndefined();
  });

  it('shifts a fresh bandit away from an upstream failing elsewhere, and local evidence overrules it within a few dozen requests', () => {
    const candidates: RankableCandidate[] = ['p/a', 'p/b'].map((key) => ({ key, model: key, weight: 1, priority: 0, pricePer1kMicros: undefined }));
    const evidence = new Map([['p/a', failing], ['p/b', healthy]]);
    const priors = armPriors(candidates, successOnly, undefined, (key) => evidence.get(key));
    const random = seededRandom(11);
    const fresh = createBanditStrategy({ ...successOnly });
    let aFirst = 0;
    for (let i = 0; i < 1_000; i++) if (fresh.rank(candidates, { random, now: 0, latency: { loadCost: () => 0 }, priors })[0]?.key === 'p/a') aFirst++;
    expect(aFirst).toBeLessThan(60);

    // Here p/a is in fact fine and p/b fails: 30 local outcomes each outweigh the other regions.
    const local = createBanditStrategy({ ...successOnly });
    for (let i = 0; i < 30; i++) {
      local.observe?.({ key: 'p/a', success: true, latencyMs: 100, pricePer1kMicros: undefined });
      local.observe?.({ key: 'p/b', success: false, latencyMs: 0, pricePer1kMicros: undefined });
    }
    expect(mean(withPrior(local.posterior('p/a'), priors?.get('p/a')))).toBeGreaterThan(0.75);
    expect(mean(withPrior(local.posterior('p/b'), priors?.get('p/b')))).toBeLessThan(0.25);
  });

  it("uses other regions' latency only for an upstream this replica has not measured", () => {
    const local = { loadCost: (key: string) => (key === 'p/seen' ? 900 : 0) };
    const evidence = new Map([['p/seen', { ...healthy, latencyMs: 50 }], ['p/unseen', { ...healthy, latencyMs: 700 }]]);
    const view = withFederatedLatency(local, (key) => evidence.get(key));
    expect(view.loadCost('p/seen', 0)).toBe(900);
    expect(view.loadCost('p/unseen', 0)).toBe(700);
    expect(view.loadCost('p/nothing', 0)).toBe(0);
  });
});
