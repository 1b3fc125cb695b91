import type { Random } from '../random';

/** A candidate as strategies see it: `key` names the upstream (provider/model). */
export interface RankableCandidate {
  key: string;
  model: string;
  weight: number;
  priority: number;
  /** Blended price per 1k tokens (input + output), when the price book has the model. */
  pricePer1kMicros: number | undefined;
}

/** Read-only latency view of the upstreams (see upstream-stats.ts). */
export interface LatencyView {
  /** Peak-EWMA load cost: decayed peak latency × (in-flight + 1); 0 for an upstream never seen. */
  loadCost(key: string, now: number): number;
}

/** Parameters of a Beta distribution (a bandit arm's posterior or prior). */
export interface BetaParameters {
  alpha: number;
  beta: number;
}

export interface RankContext {
  random: Random;
  now: number;
  latency: LatencyView;
  /**
   * The cost optimizer's priors for this request's ranking (upstream key → Beta), when the route
   * has some: a learning strategy starts each arm from its prior instead of Beta(1, 1).
   */
  priors?: ReadonlyMap<string, BetaParameters> | undefined;
}

/** How an attempt on one candidate ended, for strategies that learn. */
export interface AttemptOutcome {
  key: string;
  success: boolean;
  latencyMs: number;
  pricePer1kMicros: number | undefined;
}

/**
 * One routing strategy. `rank` returns every candidate, best first: the first is tried first,
 * the rest are the fail-over order. Pure apart from the strategy's own learned state.
 */
export interface Strategy {
  readonly kind: string;
  rank(candidates: readonly RankableCandidate[], context: RankContext): RankableCandidate[];
  observe?(outcome: AttemptOutcome): void;
  /** A client's quality score in [0, 1] for a request that `key` served. */
  feedback?(key: string, score: number): void;
}
