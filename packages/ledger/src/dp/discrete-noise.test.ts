import { describe, expect, it } from 'vitest';
import { bernoulliExpMinus, integerSqrtFloor, sampleDiscreteGaussian, sampleDiscreteLaplace } from './discrete-noise';
import { cryptoRandomSource } from '../node/crypto-random-source';
import { seededRandomSource } from './random-source';

const N = 20_000;

function moments(samples: bigint[]): { mean: number; variance: number; zeroShare: number } {
  const values = samples.map(Number);
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return { mean, variance, zeroShare: values.filter((value) => value === 0).length / values.length };
}

describe('exact discrete samplers (seeded, so deterministic)', () => {
  it('Bernoulli(exp(-γ)) hits exp(-γ) for γ below and above 1', () => {
    const random = seededRandomSource(1n);
    for (const [numerator, denominator] of [[1n, 1n], [5n, 2n], [1n, 3n]] as const) {
      let hits = 0;
      for (let i = 0; i < N; i += 1) if (bernoulliExpMinus(random, { numerator, denominator })) hits += 1;
      expect(hits / N).toBeCloseTo(Math.exp(-Number(numerator) / Number(denominator)), 1);
    }
  });

  it('discrete Laplace with scale 2 has the right centre, spread and mass at zero', () => {
    const random = seededRandomSource(2n);
    const samples = Array.from({ length: N }, () => sampleDiscreteLaplace(random, 2n, 1n));
    const p = Math.exp(-1 / 2);
    const { mean, variance, zeroShare } = moments(samples);
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(variance / ((2 * p) / (1 - p) ** 2)).toBeGreaterThan(0.93);
    expect(variance / ((2 * p) / (1 - p) ** 2)).toBeLessThan(1.07);
    expect(zeroShare).toBeCloseTo((1 - p) / (1 + p), 1);
  });

  it('discrete Laplace honours a rational scale (t/s = 3/2)', () => {
    const random = seededRandomSource(3n);
    const samples = Array.from({ length: N }, () => sampleDiscreteLaplace(random, 3n, 2n));
    const p = Math.exp(-2 / 3);
    expect(moments(samples).zeroShare).toBeCloseTo((1 - p) / (1 + p), 1);
  });

  it('discrete Gaussian with σ² = 4 has variance ≈ 4 and is symmetric', () => {
    const random = seededRandomSource(4n);
    const samples = Array.from({ length: N }, () => sampleDiscreteGaussian(random, { numerator: 4n, denominator: 1n }));
    const { mean, variance } = moments(samples);
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(variance).toBeGreaterThan(3.7);
    expect(variance).toBeLessThan(4.3);
  });

  it('the cryptographic source stays in range', () => {
    for (const n of [1n, 2n, 7n, 256n, 2n ** 70n + 3n]) {
      for (let i = 0; i < 200; i += 1) {
        const value = cryptoRandomSource.uniformBelow(n);
        expect(value >= 0n && value < n).toBe(true);
      }
    }
  });

  it('integer square root is exact', () => {
    for (const n of [0n, 1n, 2n, 3n, 4n, 15n, 16n, 17n, 10n ** 30n, 10n ** 30n - 1n]) {
      const root = integerSqrtFloor(n);
      expect(root * root <= n && (root + 1n) * (root + 1n) > n).toBe(true);
    }
  });
});
