import { describe, expect, it } from 'vitest';
import { bernoulliKl, laiRobbinsConstant, logCheckpoints, simulateRegret } from './routing-simulation';

describe('routing simulation', () => {
  it('Lai–Robbins constant of a two-arm instance from the Bernoulli KL', () => {
    expect(bernoulliKl(0.5, 0.5)).toBe(0);
    expect(laiRobbinsConstant([0.9, 0.8])).toBeCloseTo(0.1 / bernoulliKl(0.8, 0.9));
    expect(logCheckpoints(1000).at(-1)).toBe(1000);
  });

  it('seeded small instance: priors cut early regret, and regret grows like log n (regret / log n bounded, far below linear)', () => {
    const curve = simulateRegret({ means: [0.9, 0.8, 0.6], horizon: 5_000, runs: 12, historyPerArm: 200, seed: 3 });
    const at = (n: number) => curve.checkpoints.findIndex((c) => c >= n);
    const early = at(200);
    expect(curve.withPriors[early]!).toBeLessThan(curve.uniform[early]! / 2);
    const end = curve.checkpoints.length - 1;
    expect(curve.withPriors[end]!).toBeLessThan(curve.uniform[end]!);
    // Log growth: regret / log n stays within a small multiple of the Lai–Robbins constant from 500 requests on ...
    const ratio = (i: number) => curve.uniform[i]! / Math.log(curve.checkpoints[i]!);
    for (let i = at(500); i <= end; i++) {
      expect(ratio(i)).toBeLessThan(2 * curve.laiRobbinsConstant);
      expect(ratio(i)).toBeLessThan(1.5 * ratio(at(500)));
    }
    // ... and ten times the requests cost far less than ten times the regret.
    expect(curve.uniform[end]! / curve.uniform[at(500)]!).toBeLessThan(3);
  });
});
