import type { RewardWeights } from '../route';
import { sampleBeta } from './beta-sample';
import type { BetaParameters, Strategy } from './strategy';

export interface BanditOptions {
  reward: RewardWeights;
  latencyTargetMs: number;
  costTargetPer1kMicros: number;
}

export type ArmPosterior = BetaParameters;

/**
 * The posterior a ranking samples: what this route learned (counted from Beta(1, 1)) on top of
 * the optimizer's prior when there is one. Priors are added at ranking time, never stored in the
 * learned state, so new priors (or a canary's) apply at once and learned evidence is never lost.
 */
export function withPrior(learned: ArmPosterior, prior: BetaParameters | undefined): ArmPosterior {
  return prior ? { alpha: prior.alpha + learned.alpha - 1, beta: prior.beta + learned.beta - 1 } : learned;
}

/**
 * Thompson sampling with a Beta posterior per candidate over a reward in [0, 1] that the route
 * defines as a weighted mix of success, latency, cost and client-reported quality. Each part
 * is a fractional Bernoulli observation weighted by its share: α += w·r, β += w·(1 − r). Success,
 * latency and cost arrive when the request ends; quality arrives later through POST /v1/feedback,
 * so a request without feedback simply contributes less evidence.
 *
 * `arms` holds the posteriors (upstream key → posterior); the router passes one map per
 * (tenant, route name), so an updated route definition keeps what was learned about the
 * upstreams it still lists.
 */
export function createBanditStrategy(options: BanditOptions, arms: Map<string, ArmPosterior> = new Map()): Strategy & { posterior(key: string): ArmPosterior } {
  const { reward } = options;
  const total = reward.success + reward.latency + reward.cost + reward.quality;
  const share = { success: reward.success / total, latency: reward.latency / total, cost: reward.cost / total, quality: reward.quality / total };
  const arm = (key: string): ArmPosterior => {
    let found = arms.get(key);
    if (!found) {
      found = { alpha: 1, beta: 1 }; // uniform prior
      arms.set(key, found);
    }
    return found;
  };
  const add = (key: string, weight: number, value: number): void => {
    if (weight <= 0) return;
    const clamped = Math.min(1, Math.max(0, value));
    const posterior = arm(key);
    posterior.alpha += weight * clamped;
    posterior.beta += weight * (1 - clamped);
  };

  return {
    kind: 'bandit',
    rank(candidates, { random, priors }) {
      return candidates
        .map((candidate) => {
          const { alpha, beta } = withPrior(arms.get(candidate.key) ?? { alpha: 1, beta: 1 }, priors?.get(candidate.key));
          return { candidate, draw: sampleBeta(alpha, beta, random) };
        })
        .sort((a, b) => b.draw - a.draw)
        .map((entry) => entry.candidate);
    },
    observe(outcome) {
      add(outcome.key, share.success, outcome.success ? 1 : 0);
      // A failed call says nothing good about its speed or price.
      add(outcome.key, share.latency, outcome.success ? 1 - outcome.latencyMs / options.latencyTargetMs : 0);
      const price = outcome.pricePer1kMicros;
      add(outcome.key, share.cost, outcome.success && price !== undefined ? 1 - price / options.costTargetPer1kMicros : 0);
    },
    feedback(key, score) {
      add(key, share.quality, score);
    },
    posterior(key) {
      return { ...(arms.get(key) ?? { alpha: 1, beta: 1 }) };
    },
  };
}
