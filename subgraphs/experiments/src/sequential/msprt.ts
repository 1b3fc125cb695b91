import { mean, variance, type ArmSummary } from './arm-summary';

/**
 * Mixture sequential probability ratio test (mSPRT, Johari, Pekelis & Walsh 2017) for the
 * difference of two means, with a normal mixture N(0, τ²) over the difference.
 *
 * Why this test: the likelihood ratio against H0 (no difference) mixed over alternatives is a
 * non-negative martingale under H0, so by Ville's inequality P(ever Λ ≥ 1/α) ≤ α. People may look
 * after every request and stop whenever it crosses: the error rate stays ≤ α. With a normal
 * mixture the ratio has a closed form, the test inverts into a confidence sequence (an interval
 * valid at every sample size at once, the chart the console draws), and it needs only each arm's
 * count, sum and sum of squares. Variances are plugged in from the data (as in Optimizely's
 * deployment of the same test), which is why a minimum sample per arm and a variance floor apply:
 * with two observations a plugged-in variance can be near zero and the ratio meaningless.
 */
export interface SequentialTestOptions {
  /** Type I error bound (default 0.05). */
  alpha?: number;
  /** Mixture variance τ² over the difference; best near the squared effect one cares about. */
  tau2: number;
  /** Observations each arm needs before the test may decide (default 20). */
  minSamplesPerArm?: number;
  /** Lower bound on each arm's plugged-in variance (default 1e-6). */
  varianceFloor?: number;
}

export interface SequentialTestResult {
  /** Challenger mean − champion mean. */
  estimate: number;
  /** Always-valid (1 − α) confidence interval for the difference; infinite before the minimum sample. */
  lower: number;
  upper: number;
  /** Mixture likelihood ratio Λ (the e-value) at this sample. */
  eValue: number;
  /** min(1, 1/Λ): this sample's always-valid p-value (callers keep the running minimum). */
  pValue: number;
  /** Λ ≥ 1/α with the minimum sample reached. */
  significant: boolean;
  samples: { champion: number; challenger: number };
}

export function sequentialTest(champion: ArmSummary, challenger: ArmSummary, options: SequentialTestOptions): SequentialTestResult {
  const alpha = options.alpha ?? 0.05;
  const minN = options.minSamplesPerArm ?? 20;
  const floor = options.varianceFloor ?? 1e-6;
  const tau2 = options.tau2;
  const estimate = mean(challenger) - mean(champion);
  const samples = { champion: champion.n, challenger: challenger.n };
  if (champion.n < minN || challenger.n < minN) {
    return { estimate, lower: -Infinity, upper: Infinity, eValue: 1, pValue: 1, significant: false, samples };
  }
  // V: variance of the estimated difference.
  const v = Math.max(variance(champion), floor) / champion.n + Math.max(variance(challenger), floor) / challenger.n;
  const logE = 0.5 * Math.log(v / (v + tau2)) + (estimate * estimate * tau2) / (2 * v * (v + tau2));
  const eValue = Math.exp(Math.min(logE, 700));
  // Inverting Λ(θ) < 1/α around the estimate gives the half-width of the confidence sequence.
  const halfWidth = Math.sqrt(((v * (v + tau2)) / tau2) * (2 * Math.log(1 / alpha) + Math.log((v + tau2) / v)));
  return {
    estimate,
    lower: estimate - halfWidth,
    upper: estimate + halfWidth,
    eValue,
    pValue: Math.min(1, 1 / eValue),
    significant: logE >= Math.log(1 / alpha),
    samples,
  };
}

export type Direction = 'higher_is_better' | 'lower_is_better';

/** Which arm the test favours, or none yet. The interval excluding 0 is the same event as Λ ≥ 1/α. */
export function verdict(result: SequentialTestResult, direction: Direction): 'challenger' | 'champion' | 'undecided' {
  if (!result.significant) return 'undecided';
  const challengerHigher = result.lower > 0;
  const championHigher = result.upper < 0;
  if (!challengerHigher && !championHigher) return 'undecided';
  return challengerHigher === (direction === 'higher_is_better') ? 'challenger' : 'champion';
}
