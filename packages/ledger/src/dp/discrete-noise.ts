import type { RandomSource } from './random-source';

/**
 * Exact samplers for the discrete Laplace and discrete Gaussian distributions
 * (Canonne, Kamath, Steinke, "The Discrete Gaussian for Differential Privacy", NeurIPS 2020,
 * Algorithms 1-3). Only integer arithmetic on rationals: floating-point Laplace noise leaks
 * through the gaps in the doubles (Mironov 2012), so none is used here.
 */
export interface Rational {
  numerator: bigint;
  denominator: bigint;
}

function bernoulliRational(random: RandomSource, p: Rational): boolean {
  return random.uniformBelow(p.denominator) < p.numerator;
}

/** Bernoulli(exp(-γ)) for rational γ ≥ 0. */
export function bernoulliExpMinus(random: RandomSource, gamma: Rational): boolean {
  const { numerator: n, denominator: d } = gamma;
  if (n < 0n || d <= 0n) throw new RangeError('gamma must be a non-negative rational');
  if (n <= d) {
    // γ ∈ [0,1]: K ← 1; while Bernoulli(γ/K) do K ← K+1; return K odd.
    let k = 1n;
    while (bernoulliRational(random, { numerator: n, denominator: d * k })) k += 1n;
    return k % 2n === 1n;
  }
  for (let i = 0n; i < n / d; i += 1n) {
    if (!bernoulliExpMinus(random, { numerator: 1n, denominator: 1n })) return false;
  }
  return bernoulliExpMinus(random, { numerator: n % d, denominator: d });
}

/** Discrete Laplace with scale t/s: P[Z = z] ∝ exp(-|z|·s/t). s, t positive integers. */
export function sampleDiscreteLaplace(random: RandomSource, scaleNumerator: bigint, scaleDenominator: bigint): bigint {
  const t = scaleNumerator;
  const s = scaleDenominator;
  if (t <= 0n || s <= 0n) throw new RangeError('scale must be positive');
  for (;;) {
    const u = random.uniformBelow(t);
    if (!bernoulliExpMinus(random, { numerator: u, denominator: t })) continue;
    let v = 0n;
    while (bernoulliExpMinus(random, { numerator: 1n, denominator: 1n })) v += 1n;
    const x = u + t * v;
    const y = x / s;
    const negative = random.uniformBelow(2n) === 1n;
    if (negative && y === 0n) continue;
    return negative ? -y : y;
  }
}

/** Discrete Gaussian with variance parameter σ² = a/b: P[Z = z] ∝ exp(-z²/(2σ²)). */
export function sampleDiscreteGaussian(random: RandomSource, sigmaSquared: Rational): bigint {
  const a = sigmaSquared.numerator;
  const b = sigmaSquared.denominator;
  if (a <= 0n || b <= 0n) throw new RangeError('sigma² must be positive');
  const t = integerSqrtFloor(a / b) + 1n; // floor(σ) + 1
  for (;;) {
    const y = sampleDiscreteLaplace(random, t, 1n);
    const absY = y < 0n ? -y : y;
    // γ = (|Y| − σ²/t)² / (2σ²) = (|Y|·t·b − a)² / (2·a·b·t²)
    const difference = absY * t * b - a;
    if (bernoulliExpMinus(random, { numerator: difference * difference, denominator: 2n * a * b * t * t })) return y;
  }
}

/** floor(sqrt(n)) for n ≥ 0, exact on bigints; floor(sqrt(floor(x))) = floor(sqrt(x)), so t = floor(σ) + 1 exactly. */
export function integerSqrtFloor(n: bigint): bigint {
  if (n < 0n) throw new RangeError('negative');
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}
