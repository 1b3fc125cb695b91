import { describe, expect, it } from 'vitest';
import { chargeFor, fitsWithinCap, formatMicroUnits, gaussianVariance, laplaceScale, toMicroUnitsCeil, zcdpToEpsilon } from './privacy-accounting';

describe('privacy accounting', () => {
  it('parses decimals into micro-units exactly, rounding up', () => {
    expect(toMicroUnitsCeil('0.5')).toBe(500_000n);
    expect(toMicroUnitsCeil('1')).toBe(1_000_000n);
    expect(toMicroUnitsCeil('0.000001')).toBe(1n);
    expect(toMicroUnitsCeil('0.0000011')).toBe(2n);
    expect(toMicroUnitsCeil('0.1000000000000000001')).toBe(100_001n);
    expect(toMicroUnitsCeil('12.345678')).toBe(12_345_678n);
    for (const bad of ['', '-1', '1e-3', 'abc', '1.', '.5', 'NaN']) expect(() => toMicroUnitsCeil(bad)).toThrow(/not a non-negative decimal/);
  });

  it('formats micro-units back', () => {
    expect(formatMicroUnits(1_500_000n)).toBe('1.5');
    expect(formatMicroUnits(1n)).toBe('0.000001');
    expect(formatMicroUnits(2_000_000n)).toBe('2');
  });

  it('charges Laplace as ε under pure-ε and as ε²/2 (rounded up) under zCDP', () => {
    expect(chargeFor('pure-epsilon', { kind: 'discrete-laplace', sensitivity: 1n, epsilonMicros: 500_000n })).toBe(500_000n);
    expect(chargeFor('zcdp', { kind: 'discrete-laplace', sensitivity: 1n, epsilonMicros: 500_000n })).toBe(125_000n);
    expect(chargeFor('zcdp', { kind: 'discrete-laplace', sensitivity: 1n, epsilonMicros: 3n })).toBe(1n);
  });

  it('refuses the Gaussian on a pure-ε budget and non-positive amounts', () => {
    expect(() => chargeFor('pure-epsilon', { kind: 'discrete-gaussian', sensitivity: 1n, rhoMicros: 10n })).toThrow(/no pure ε/);
    expect(chargeFor('zcdp', { kind: 'discrete-gaussian', sensitivity: 1n, rhoMicros: 10n })).toBe(10n);
    expect(() => chargeFor('zcdp', { kind: 'discrete-gaussian', sensitivity: 1n, rhoMicros: 0n })).toThrow(/positive/);
    expect(() => chargeFor('zcdp', { kind: 'discrete-laplace', sensitivity: 0n, epsilonMicros: 1n })).toThrow(/sensitivity/);
  });

  it('calibrates noise to the charge', () => {
    expect(laplaceScale(2n, 500_000n)).toEqual([2_000_000n, 500_000n]); // scale Δ/ε = 4
    expect(gaussianVariance(1n, 500_000n)).toEqual({ numerator: 1_000_000n, denominator: 1_000_000n }); // σ² = 1/(2·0.5) = 1
  });

  it('converts zCDP to (ε, δ)', () => {
    expect(zcdpToEpsilon(0.5, 1e-5)).toBeCloseTo(0.5 + 2 * Math.sqrt(0.5 * Math.log(1e5)), 10);
    expect(zcdpToEpsilon(0, 1e-5)).toBe(0);
    expect(() => zcdpToEpsilon(1, 0)).toThrow();
  });

  it('never lets a charge pass the cap', () => {
    expect(fitsWithinCap(1_000_000n, 400_000n, 100_000n, 500_000n)).toBe(true);
    expect(fitsWithinCap(1_000_000n, 400_000n, 100_000n, 500_001n)).toBe(false);
    expect(fitsWithinCap(1_000_000n, 0n, 0n, 0n)).toBe(false);
  });
});
