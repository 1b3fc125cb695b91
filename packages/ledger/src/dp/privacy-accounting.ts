/**
 * Privacy-budget arithmetic, pure. Budgets and charges are integer micro-units (1e-6 of ε or ρ),
 * always rounded UP when converting from a real number, so rounding can never under-charge.
 *
 * Two accounting modes, one per budget:
 *  - pure-ε, basic composition: charges add up in ε.
 *  - zCDP: charges add up in ρ; shown as (ε, δ) with ε = ρ + 2·sqrt(ρ·ln(1/δ)) (Bun & Steinke 2016, Prop. 1.3).
 */
export const MICRO = 1_000_000n;

export type AccountingMode = 'pure-epsilon' | 'zcdp';

export type Mechanism =
  | { kind: 'discrete-laplace'; sensitivity: bigint; epsilonMicros: bigint }
  | { kind: 'discrete-gaussian'; sensitivity: bigint; rhoMicros: bigint };

export class PrivacyAccountingError extends Error {
  constructor(
    readonly code: 'INVALID_AMOUNT' | 'MECHANISM_NOT_ALLOWED',
    message: string,
  ) {
    super(message);
  }
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** Parse a non-negative decimal ("0.5", "1", "0.0000015") into micro-units, rounding up. Exact: no floats. */
export function toMicroUnitsCeil(decimal: string): bigint {
  const match = DECIMAL.exec(decimal.trim());
  if (!match) throw new PrivacyAccountingError('INVALID_AMOUNT', `"${decimal}" is not a non-negative decimal number`);
  const whole = BigInt(match[1] as string);
  const fraction = match[2] ?? '';
  const kept = BigInt((fraction.slice(0, 6) || '0').padEnd(6, '0'));
  const roundUp = /[1-9]/.test(fraction.slice(6)) ? 1n : 0n;
  return whole * MICRO + kept + roundUp;
}

/** Micro-units as a decimal string ("1.5", "0.000001"). */
export function formatMicroUnits(micros: bigint): string {
  const sign = micros < 0n ? '-' : '';
  const value = micros < 0n ? -micros : micros;
  const fraction = (value % MICRO).toString().padStart(6, '0').replace(/0+$/, '');
  return `${sign}${value / MICRO}${fraction ? `.${fraction}` : ''}`;
}

/**
 * What a mechanism costs under a budget's mode, in that mode's micro-units.
 * ε-DP implies (ε²/2)-zCDP, so Laplace can be charged to a zCDP budget (rounded up);
 * the Gaussian has no pure-ε guarantee, so it cannot be charged to a pure-ε budget.
 */
export function chargeFor(mode: AccountingMode, mechanism: Mechanism): bigint {
  if (mechanism.sensitivity <= 0n) throw new PrivacyAccountingError('INVALID_AMOUNT', 'sensitivity must be a positive integer');
  if (mechanism.kind === 'discrete-laplace') {
    if (mechanism.epsilonMicros <= 0n) throw new PrivacyAccountingError('INVALID_AMOUNT', 'epsilon must be positive');
    if (mode === 'pure-epsilon') return mechanism.epsilonMicros;
    // ρ = ε²/2, in micro-units: ε_µ² / (2·10⁶), rounded up.
    return ceilDiv(mechanism.epsilonMicros * mechanism.epsilonMicros, 2n * MICRO);
  }
  if (mechanism.rhoMicros <= 0n) throw new PrivacyAccountingError('INVALID_AMOUNT', 'rho must be positive');
  if (mode === 'pure-epsilon') {
    throw new PrivacyAccountingError('MECHANISM_NOT_ALLOWED', 'the discrete Gaussian gives no pure ε guarantee; use a zCDP budget or the discrete Laplace');
  }
  return mechanism.rhoMicros;
}

/** Discrete Laplace scale t/s = Δ/ε for ε-DP: returns [t, s] for sampleDiscreteLaplace. */
export function laplaceScale(sensitivity: bigint, epsilonMicros: bigint): [bigint, bigint] {
  return [sensitivity * MICRO, epsilonMicros];
}

/** Discrete Gaussian σ² = Δ²/(2ρ) for ρ-zCDP, as a rational [a, b]. */
export function gaussianVariance(sensitivity: bigint, rhoMicros: bigint): { numerator: bigint; denominator: bigint } {
  return { numerator: sensitivity * sensitivity * MICRO, denominator: 2n * rhoMicros };
}

/** ε of a ρ-zCDP guarantee at a given δ (display only; accounting stays in integer ρ). */
export function zcdpToEpsilon(rho: number, delta: number): number {
  if (!(rho >= 0) || !(delta > 0 && delta < 1)) throw new PrivacyAccountingError('INVALID_AMOUNT', 'need ρ ≥ 0 and 0 < δ < 1');
  return rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
}

/** Would this charge keep the budget within its cap? (The store performs it atomically.) */
export function fitsWithinCap(capMicros: bigint, spentMicros: bigint, reservedMicros: bigint, chargeMicros: bigint): boolean {
  return chargeMicros > 0n && spentMicros + reservedMicros + chargeMicros <= capMicros;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
