/**
 * Sufficient statistics of one arm's metric: count, sum and sum of squares. They are all the
 * sequential test needs, they add up across batches and replicas, and they store as three numbers.
 */
export interface ArmSummary {
  n: number;
  sum: number;
  sumSq: number;
}

export const EMPTY_ARM: ArmSummary = { n: 0, sum: 0, sumSq: 0 };

export function observe(arm: ArmSummary, value: number): ArmSummary {
  return { n: arm.n + 1, sum: arm.sum + value, sumSq: arm.sumSq + value * value };
}

export function merge(a: ArmSummary, b: ArmSummary): ArmSummary {
  return { n: a.n + b.n, sum: a.sum + b.sum, sumSq: a.sumSq + b.sumSq };
}

export function mean(arm: ArmSummary): number {
  return arm.n === 0 ? 0 : arm.sum / arm.n;
}

/** Unbiased sample variance; 0 below two observations. */
export function variance(arm: ArmSummary): number {
  if (arm.n < 2) return 0;
  const m = arm.sum / arm.n;
  return Math.max(0, (arm.sumSq - arm.n * m * m) / (arm.n - 1));
}
