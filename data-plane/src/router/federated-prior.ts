import type { RewardWeights } from './route';
import type { BetaParameters } from './strategies/strategy';

/**
 * Other regions' evidence as a bandit prior (pure). The federation coordinator hands each region
 * a damped, merged view of what the other regions observed per (route, upstream); the router turns
 * it into a Beta prior over the route's own reward, so an upstream failing in region B starts out
 * unlikely in region A before A has sent it a single request.
 *
 * Bounded on purpose: the prior is worth at most `maxPseudoObservations` requests, however much
 * traffic stands behind it (another region's network path, load and tenants differ, and a hostile
 * but validly signed region must not be able to outvote what this region sees). Each local outcome
 * adds about one observation, so local evidence outweighs the federated prior after a handful of
 * requests; the cost optimizer's prior (up to 20 observations, refreshed every few minutes) keeps
 * its own weight beside it.
 */
export interface FederatedEvidence {
  successRate: number;
  /** Mean latency of successful requests (ms); null: none measured. */
  latencyMs: number | null;
  /** Mean client quality score; null: no feedback. */
  quality: number | null;
  /** Smoothed requests per interval behind the estimate (summed over regions). */
  volume: number;
}

export interface FederatedPriorOptions {
  /** The most observations the prior is worth (default 8). */
  maxPseudoObservations: number;
  /** The volume at which the prior is worth half of that (default 20 requests per interval). */
  halfWeightVolume: number;
}

export const DEFAULT_FEDERATED_PRIOR_OPTIONS: FederatedPriorOptions = Object.freeze({ maxPseudoObservations: 8, halfWeightVolume: 20 });

/** What the bandit rewards on this route (its strategy's settings). */
export interface RewardDefinition {
  reward: RewardWeights;
  latencyTargetMs: number;
  costTargetPer1kMicros: number;
}

const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));

/**
 * The reward the route's bandit would expect from an upstream with this evidence, computed the way
 * the bandit scores a local outcome (strategies/bandit.ts): success; latency and cost count only
 * for successful calls (an unknown price scores 0, as locally); quality only when there was feedback.
 * The price is this region's (its price book), not another region's.
 */
export function expectedReward(evidence: FederatedEvidence, definition: RewardDefinition, pricePer1kMicros: number | undefined): number {
  const { reward } = definition;
  const success = clamp01(evidence.successRate);
  const latency = evidence.latencyMs === null ? 0 : success * clamp01(1 - evidence.latencyMs / definition.latencyTargetMs);
  const cost = pricePer1kMicros === undefined ? 0 : success * clamp01(1 - pricePer1kMicros / definition.costTargetPer1kMicros);
  let weighted = reward.success * success + reward.latency * latency + reward.cost * cost;
  let weights = reward.success + reward.latency + reward.cost;
  if (evidence.quality !== null) {
    weighted += reward.quality * clamp01(evidence.quality);
    weights += reward.quality;
  }
  return weights > 0 ? weighted / weights : 0.5;
}

/** The federated prior of one arm: Beta(1 + n·m, 1 + n·(1 − m)), n ≤ maxPseudoObservations growing with the volume behind it. */
export function federatedPrior(evidence: FederatedEvidence, definition: RewardDefinition, pricePer1kMicros: number | undefined, options: FederatedPriorOptions = DEFAULT_FEDERATED_PRIOR_OPTIONS): BetaParameters {
  const volume = Number.isFinite(evidence.volume) ? Math.max(0, evidence.volume) : 0;
  const n = options.maxPseudoObservations * (volume / (volume + options.halfWeightVolume));
  const mean = expectedReward(evidence, definition, pricePer1kMicros);
  return { alpha: 1 + n * mean, beta: 1 + n * (1 - mean) };
}

/**
 * The optimizer's prior and the federated one as one prior: their evidence adds (each counted
 * from Beta(1, 1), like a learned posterior in `withPrior`). Either may be absent.
 */
export function blendPriors(optimizer: BetaParameters | undefined, federated: BetaParameters | undefined): BetaParameters | undefined {
  if (!optimizer) return federated;
  if (!federated) return optimizer;
  return { alpha: optimizer.alpha + federated.alpha - 1, beta: optimizer.beta + federated.beta - 1 };
}

/**
 * The priors one ranking uses: for each candidate the optimizer's prior (when it has one) blended
 * with the federated prior (when other regions have evidence about it).
 */
export function armPriors(
  candidates: ReadonlyArray<{ key: string; pricePer1kMicros: number | undefined }>,
  definition: RewardDefinition,
  optimizer: ReadonlyMap<string, BetaParameters> | undefined,
  evidenceOf: (upstream: string) => FederatedEvidence | undefined,
  options?: FederatedPriorOptions,
): ReadonlyMap<string, BetaParameters> | undefined {
  let blended: Map<string, BetaParameters> | undefined;
  for (const candidate of candidates) {
    const evidence = evidenceOf(candidate.key);
    if (!evidence) continue;
    blended ??= new Map(optimizer);
    blended.set(candidate.key, blendPriors(optimizer?.get(candidate.key), federatedPrior(evidence, definition, candidate.pricePer1kMicros, options))!);
  }
  return blended ?? optimizer;
}
