import { describe, expect, it } from 'vitest';
import type { FeatureRow } from '../store/optimizer-store';
import { judgeCohorts, newPriors, priorsChanged, savingsOf } from './route-plan';

const row = (upstream: string, model: string, parts: Partial<FeatureRow> = {}): FeatureRow => ({
  route: 'smart',
  upstream,
  model,
  requests: 100,
  successes: 100,
  latencyP50Ms: 100,
  latencyP95Ms: 200,
  latencyP99Ms: 300,
  quality: null,
  qualitySamples: 0,
  promptTokens: 100_000n,
  completionTokens: 100_000n,
  costMicros: 75_000n,
  ...parts,
});

const prices = new Map([
  ['mini', { inputPer1kMicros: 150n, outputPer1kMicros: 600n }],
  ['big', { inputPer1kMicros: 2500n, outputPer1kMicros: 10_000n }],
]);

describe('one route of a run', () => {
  it('cheaper equally good arm gets the stronger prior', () => {
    const priors = newPriors([row('mock/mini', 'mini'), row('mock/big', 'big', { costMicros: 1_250_000n })]);
    const mean = (upstream: string) => {
      const p = priors.find((prior) => prior.upstream === upstream)!;
      return p.alpha / (p.alpha + p.beta);
    };
    expect(mean('mock/mini')).toBeGreaterThan(mean('mock/big'));
    expect(priorsChanged(priors, priors)).toBe(false);
    expect(priorsChanged([], priors)).toBe(true);
  });

  it('savings against the most expensive candidate, and regret when traffic went to the worse arm', () => {
    const rows = [row('mock/mini', 'mini'), row('mock/big', 'big', { costMicros: 1_250_000n })];
    const savings = savingsOf('smart', rows, ['mini', 'big'], prices, 'most_expensive')!;
    expect(savings.baselineModel).toBe('big');
    expect(savings.actualMicros).toBe(1_325_000n);
    expect(savings.baselineMicros).toBe(2_500_000n);
    expect(savings.savingsPct).toBeCloseTo(47);
    expect(savings.regretDelta).toBeGreaterThan(0);
    const champion = savingsOf('smart', rows, ['mini', 'big'], prices, 'champion')!;
    expect(champion.baselineModel).toBe('mini');
    expect(champion.savingsPct).toBeLessThan(0);
    expect(savingsOf('smart', rows, ['unpriced'], prices, 'champion')).toBeUndefined();
  });

  it('judges the canary cohort against the active one', () => {
    const request = (priors: string, success: boolean) => ({ priors, success, latencyMs: 100, promptTokens: 10, completionTokens: 10, costMicros: 5n });
    const requests = [...Array.from({ length: 100 }, () => request('canary', true)), ...Array.from({ length: 400 }, (_, i) => request('active', i % 2 === 0))];
    expect(judgeCohorts(requests, { maxCostPer1kMicros: 1000, maxLatencyMs: 1000 }).decision).toBe('promote');
    const worse = [...Array.from({ length: 100 }, (_, i) => request('canary', i % 5 === 0)), ...Array.from({ length: 400 }, () => request('active', true))];
    expect(judgeCohorts(worse, { maxCostPer1kMicros: 1000, maxLatencyMs: 1000 }).decision).toBe('discard');
  });
});
