import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paretoFront, priorsFromScores, scoreArms, type ArmFeatures } from './scoring';

const arm = (upstream: string, parts: Partial<ArmFeatures> = {}): ArmFeatures => ({ upstream, requests: 100, successRate: 1, quality: null, latencyP95Ms: 100, costPer1kMicros: 1000, ...parts });

const armArbitrary = (upstream: string) =>
  fc.record({
    upstream: fc.constant(upstream),
    requests: fc.integer({ min: 0, max: 10_000 }),
    successRate: fc.double({ min: 0, max: 1, noNaN: true }),
    quality: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
    latencyP95Ms: fc.double({ min: 1, max: 60_000, noNaN: true }),
    costPer1kMicros: fc.double({ min: 0, max: 1e6, noNaN: true }),
  });
const armsArbitrary = fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => armArbitrary(`p/m${i}`))));

describe('multi-objective scoring', () => {
  it('keeps a cheaper, faster, equally good arm on the front and drops the one it dominates', () => {
    const front = paretoFront([arm('p/cheap', { costPer1kMicros: 100, latencyP95Ms: 80, quality: 0.6 }), arm('p/dear', { quality: 0.6 }), arm('p/quality', { quality: 0.9, costPer1kMicros: 5000 })]);
    expect([...front].sort()).toEqual(['p/cheap', 'p/quality']);
  });

  it('ranks by the weights: cost-heavy prefers the cheap arm, quality-heavy the better one', () => {
    const arms = [arm('p/cheap', { costPer1kMicros: 100, quality: 0.6 }), arm('p/good', { costPer1kMicros: 5000, quality: 0.95 })];
    const best = (weights: { quality: number; latency: number; cost: number }) => scoreArms(arms, weights).sort((a, b) => b.score - a.score)[0]?.upstream;
    expect(best({ quality: 0.1, latency: 0, cost: 0.9 })).toBe('p/cheap');
    expect(best({ quality: 0.9, latency: 0, cost: 0.1 })).toBe('p/good');
  });

  it('an arm that always fails scores 0', () => {
    expect(scoreArms([arm('p/broken', { successRate: 0, costPer1kMicros: 1 }), arm('p/ok')]).find((a) => a.upstream === 'p/broken')?.score).toBe(0);
  });

  it('refuses negative or all-zero weights', () => {
    expect(() => scoreArms([arm('p/a')], { quality: 0, latency: 0, cost: 0 })).toThrow(RangeError);
    expect(() => scoreArms([arm('p/a')], { quality: -1, latency: 1, cost: 1 })).toThrow(RangeError);
  });

  it('property: scores lie in [0, 1], the front is never empty, and no dominated arm outscores the arm dominating it', () => {
    fc.assert(
      fc.property(armsArbitrary, (arms) => {
        const scored = scoreArms(arms);
        expect(scored.some((a) => a.pareto)).toBe(true);
        for (const a of scored) {
          expect(a.score).toBeGreaterThanOrEqual(0);
          expect(a.score).toBeLessThanOrEqual(1);
        }
        const front = paretoFront(arms);
        for (const a of scored) expect(a.pareto).toBe(front.has(a.upstream));
        // Whatever the weights, an arm never scores above one that dominates it.
        const noWorse = (x: (typeof arms)[number], y: (typeof arms)[number]) =>
          x.successRate * (x.quality ?? 1) >= y.successRate * (y.quality ?? 1) && x.latencyP95Ms <= y.latencyP95Ms && x.costPer1kMicros <= y.costPer1kMicros;
        arms.forEach((x, i) =>
          arms.forEach((y, j) => {
            if (i !== j && noWorse(x, y)) expect(scored[i]!.score).toBeGreaterThanOrEqual(scored[j]!.score - 1e-12);
          }),
        );
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('property: priors are valid Betas whose mean follows the score and whose strength is capped', () => {
    fc.assert(
      fc.property(armsArbitrary, fc.integer({ min: 1, max: 100 }), (arms, maxStrength) => {
        const scored = scoreArms(arms);
        const priors = priorsFromScores(scored, { maxStrength });
        priors.forEach((prior, i) => {
          expect(prior.alpha).toBeGreaterThanOrEqual(1);
          expect(prior.beta).toBeGreaterThanOrEqual(1);
          expect(prior.alpha + prior.beta - 2).toBeLessThanOrEqual(maxStrength + 1e-9);
          const a = scored[i]!;
          for (const [j, b] of scored.entries()) {
            // Equal strength: a higher score never gives a lower prior mean.
            if (a.requests === b.requests && a.score > b.score) {
              const other = priors[j]!;
              expect(prior.alpha / (prior.alpha + prior.beta)).toBeGreaterThanOrEqual(other.alpha / (other.alpha + other.beta) - 1e-12);
            }
          }
        });
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
