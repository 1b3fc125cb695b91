/**
 * Multi-objective scoring of a route's arms (upstreams) from their features: three objectives,
 * quality (higher is better), latency and cost (lower is better). Pure.
 */

export interface ArmFeatures {
  upstream: string;
  requests: number;
  /** Share of requests that succeeded, in [0, 1]. */
  successRate: number;
  /** Mean client feedback in [0, 1]; null when no request of this arm was scored. */
  quality: number | null;
  latencyP95Ms: number;
  /** What 1k tokens cost on this arm (total cost / total tokens × 1000), micro-USD. */
  costPer1kMicros: number;
}

export interface ObjectiveWeights {
  quality: number;
  latency: number;
  cost: number;
}

export const DEFAULT_WEIGHTS: ObjectiveWeights = { quality: 0.5, latency: 0.2, cost: 0.3 };

export interface ScoredArm {
  upstream: string;
  requests: number;
  /** Weighted score in [0, 1]. */
  score: number;
  /** On the Pareto front: no other arm is at least as good on every objective and better on one. */
  pareto: boolean;
}

/**
 * The quality objective: success times client quality. An arm nobody scored counts its successes
 * only (quality 1): missing feedback is no evidence of bad answers.
 */
export function qualityObjective(arm: Pick<ArmFeatures, 'successRate' | 'quality'>): number {
  return arm.successRate * (arm.quality ?? 1);
}

function dominates(a: ArmFeatures, b: ArmFeatures): boolean {
  const qa = qualityObjective(a);
  const qb = qualityObjective(b);
  const noWorse = qa >= qb && a.latencyP95Ms <= b.latencyP95Ms && a.costPer1kMicros <= b.costPer1kMicros;
  const better = qa > qb || a.latencyP95Ms < b.latencyP95Ms || a.costPer1kMicros < b.costPer1kMicros;
  return noWorse && better;
}

/** The upstreams no other arm dominates (O(n²): a route has a handful of arms). */
export function paretoFront(arms: readonly ArmFeatures[]): Set<string> {
  return new Set(arms.filter((arm) => !arms.some((other) => other !== arm && dominates(other, arm))).map((arm) => arm.upstream));
}

/** Min-max to [0, 1] over the arms; all equal: 1 (nobody is worse). `lowerIsBetter` flips it. */
function normaliser(values: readonly number[], lowerIsBetter: boolean): (value: number) => number {
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (!(max > min)) return () => 1;
  return (value) => (lowerIsBetter ? (max - value) / (max - min) : (value - min) / (max - min));
}

/**
 * Weighted score per arm: each objective min-max normalised across the route's arms, mixed by
 * the weights. A dominated arm keeps at most half its score: the Pareto filter says some arm is
 * better on every axis, so whatever the weights, it should not look close to the front.
 */
export function scoreArms(arms: readonly ArmFeatures[], weights: ObjectiveWeights = DEFAULT_WEIGHTS): ScoredArm[] {
  if (arms.length === 0) return [];
  const total = weights.quality + weights.latency + weights.cost;
  if (!(total > 0) || weights.quality < 0 || weights.latency < 0 || weights.cost < 0) throw new RangeError('objective weights must be non-negative with a positive sum');
  const front = paretoFront(arms);
  const quality = normaliser(arms.map(qualityObjective), false);
  const latency = normaliser(arms.map((arm) => arm.latencyP95Ms), true);
  const cost = normaliser(arms.map((arm) => arm.costPer1kMicros), true);
  return arms.map((arm) => {
    const mixed = (weights.quality * quality(qualityObjective(arm)) + weights.latency * latency(arm.latencyP95Ms) + weights.cost * cost(arm.costPer1kMicros)) / total;
    // Quality is absolute too: an arm that always fails scores 0 however cheap it is.
    const score = mixed * qualityObjective(arm);
    const pareto = front.has(arm.upstream);
    return { upstream: arm.upstream, requests: arm.requests, score: pareto ? score : score / 2, pareto };
  });
}

export interface BetaPrior {
  upstream: string;
  alpha: number;
  beta: number;
}

export interface PriorOptions {
  /** Most pseudo-observations a prior carries (default 20): live traffic outweighs it within a few dozen requests. */
  maxStrength?: number;
  /** Pseudo-observations per observed request (default 0.1): thin evidence gives a thin prior. */
  strengthPerRequest?: number;
}

/**
 * Beta priors from scores: mean = the score (kept in [0.02, 0.98] so no arm is ruled out),
 * strength = min(maxStrength, strengthPerRequest × requests) pseudo-observations on top of the
 * uniform Beta(1, 1).
 */
export function priorsFromScores(scored: readonly ScoredArm[], options: PriorOptions = {}): BetaPrior[] {
  const maxStrength = options.maxStrength ?? 20;
  const perRequest = options.strengthPerRequest ?? 0.1;
  return scored.map((arm) => {
    const mean = Math.min(0.98, Math.max(0.02, arm.score));
    const strength = Math.min(maxStrength, perRequest * arm.requests);
    return { upstream: arm.upstream, alpha: 1 + mean * strength, beta: 1 + (1 - mean) * strength };
  });
}
