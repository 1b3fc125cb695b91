/**
 * The canary rule for new bandit priors. New priors first rank `share` of a route's requests
 * (chosen per request at random by each data plane, so both cohorts see the same traffic at the
 * same time); the rest keep the active priors. Each request's reward (requestReward) is compared
 * between the cohorts as a non-inferiority test: promote when the one-sided 95% lower confidence
 * bound of mean(canary) − mean(active) is above −margin (the canary is not worse by more than the
 * margin), discard when the upper bound is below −margin (it is worse), otherwise keep collecting
 * until `maxSamples` canary requests, then discard (no proof, no change). Pure.
 */

export interface CohortStats {
  n: number;
  sum: number;
  sumSquares: number;
}

export interface CanaryRule {
  /** Canary requests needed before any decision (default 50). */
  minSamples: number;
  /** Canary requests after which an undecided canary is discarded (default 2,000). */
  maxSamples: number;
  /** How much worse (in reward, [0, 1]) the canary may be and still count as not worse (default 0.02). */
  margin: number;
  /** One-sided normal quantile (default 1.645: 95%). */
  z: number;
}

export const DEFAULT_CANARY_RULE: CanaryRule = { minSamples: 50, maxSamples: 2_000, margin: 0.02, z: 1.645 };

export type CanaryVerdict = { decision: 'wait' | 'promote' | 'discard'; difference: number; lower: number; upper: number };

export function cohortOf(rewards: readonly number[]): CohortStats {
  return rewards.reduce<CohortStats>((stats, reward) => ({ n: stats.n + 1, sum: stats.sum + reward, sumSquares: stats.sumSquares + reward * reward }), { n: 0, sum: 0, sumSquares: 0 });
}

function meanAndVariance(stats: CohortStats): { mean: number; variance: number } {
  const mean = stats.sum / stats.n;
  // Sample variance; rewards lie in [0, 1] so 1/4 bounds it when a cohort is too small to estimate.
  const variance = stats.n > 1 ? Math.max(0, (stats.sumSquares - stats.n * mean * mean) / (stats.n - 1)) : 0.25;
  return { mean, variance };
}

export function judgeCanary(canary: CohortStats, active: CohortStats, rule: CanaryRule = DEFAULT_CANARY_RULE): CanaryVerdict {
  if (canary.n < rule.minSamples || active.n < rule.minSamples) return { decision: 'wait', difference: 0, lower: -Infinity, upper: Infinity };
  const c = meanAndVariance(canary);
  const a = meanAndVariance(active);
  const difference = c.mean - a.mean;
  const se = Math.sqrt(c.variance / canary.n + a.variance / active.n);
  const lower = difference - rule.z * se;
  const upper = difference + rule.z * se;
  if (lower > -rule.margin) return { decision: 'promote', difference, lower, upper };
  if (upper < -rule.margin || canary.n >= rule.maxSamples) return { decision: 'discard', difference, lower, upper };
  return { decision: 'wait', difference, lower, upper };
}

export interface RewardBounds {
  /** Highest cost per 1k tokens among the route's arms (micro-USD). */
  maxCostPer1kMicros: number;
  /** Highest p95 latency among the route's arms (ms). */
  maxLatencyMs: number;
}

/**
 * One request's reward in [0, 1], on the same objectives as the scoring: 0 for a failure; else
 * half for succeeding, and the rest split between being cheap and being fast relative to the
 * route's most expensive and slowest arms.
 */
export function requestReward(request: { success: boolean; latencyMs: number; costPer1kMicros: number }, bounds: RewardBounds): number {
  if (!request.success) return 0;
  const cheap = bounds.maxCostPer1kMicros > 0 ? 1 - Math.min(1, request.costPer1kMicros / bounds.maxCostPer1kMicros) : 1;
  const fast = bounds.maxLatencyMs > 0 ? 1 - Math.min(1, request.latencyMs / bounds.maxLatencyMs) : 1;
  return 0.5 + 0.3 * cheap + 0.2 * fast;
}
