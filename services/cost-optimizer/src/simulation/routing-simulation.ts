import { createBanditStrategy, seededRandom, type BetaParameters, type RankableCandidate, type Random } from '@switchyard/data-plane/bandit';
import { priorsFromScores } from '../domain/scoring';

/**
 * Routing simulation: Bernoulli arms of known success probability, served by the data plane's own
 * Thompson sampler (the production strategy, reward = success only), with and without priors
 * built by the optimizer's prior function from a short history of each arm. Regret is the pseudo
 * regret Σ (μ* − μ_chosen), compared with the Lai–Robbins lower bound
 * Σ_{i: μ_i < μ*} (μ* − μ_i) / KL(μ_i, μ*) · log n, which no consistent policy beats
 * asymptotically. Pure apart from its seeded randomness.
 */

export interface SimulationInstance {
  /** Success probability of each arm. */
  means: readonly number[];
  /** Requests per run. */
  horizon: number;
  /** Independent runs averaged (each its own seed). */
  runs: number;
  /** Requests per arm the optimizer saw before the run (its feature window). */
  historyPerArm: number;
  seed: number;
}

export interface RegretCurve {
  /** Request counts at which regret was recorded (log-spaced, ending at the horizon). */
  checkpoints: number[];
  /** Mean cumulative regret at each checkpoint, without priors (Beta(1, 1)). */
  uniform: number[];
  /** The same with the optimizer's priors. */
  withPriors: number[];
  /** The Lai–Robbins bound at each checkpoint. */
  laiRobbins: number[];
  /** Its constant: Σ (μ* − μ_i) / KL(μ_i, μ*). */
  laiRobbinsConstant: number;
}

/** KL divergence of Bernoulli(p) from Bernoulli(q). */
export function bernoulliKl(p: number, q: number): number {
  const term = (a: number, b: number) => (a === 0 ? 0 : a * Math.log(a / b));
  return term(p, q) + term(1 - p, 1 - q);
}

export function laiRobbinsConstant(means: readonly number[]): number {
  const best = Math.max(...means);
  return means.filter((mean) => mean < best).reduce((sum, mean) => sum + (best - mean) / bernoulliKl(mean, best), 0);
}

/** ~10 points per decade from 10 to the horizon, always including the horizon. */
export function logCheckpoints(horizon: number): number[] {
  const points = new Set<number>();
  for (let exponent = 1; 10 ** exponent <= horizon * 10; exponent += 0.1) {
    const n = Math.round(10 ** exponent);
    if (n <= horizon) points.add(n);
  }
  points.add(horizon);
  return [...points].sort((a, b) => a - b);
}

/** Priors as the optimizer would build them from `historyPerArm` observed requests per arm (score = observed success rate). */
export function historicalPriors(means: readonly number[], historyPerArm: number, random: Random): Map<string, BetaParameters> {
  const scored = means.map((mean, arm) => {
    let successes = 0;
    for (let i = 0; i < historyPerArm; i++) if (random() < mean) successes++;
    return { upstream: armKey(arm), requests: historyPerArm, score: historyPerArm > 0 ? successes / historyPerArm : 0.5, pareto: true };
  });
  return new Map(priorsFromScores(scored).map((prior) => [prior.upstream, { alpha: prior.alpha, beta: prior.beta }]));
}

const armKey = (arm: number): string => `sim/arm-${arm}`;

/** Cumulative pseudo-regret of one run at each checkpoint. */
function runOnce(means: readonly number[], horizon: number, checkpoints: readonly number[], random: Random, priors: ReadonlyMap<string, BetaParameters> | undefined): number[] {
  const strategy = createBanditStrategy({ reward: { success: 1, latency: 0, cost: 0, quality: 0 }, latencyTargetMs: 1, costTargetPer1kMicros: 1 });
  const candidates: RankableCandidate[] = means.map((_, arm) => ({ key: armKey(arm), model: armKey(arm), weight: 1, priority: 0, pricePer1kMicros: undefined }));
  const best = Math.max(...means);
  const indexOf = new Map(candidates.map((candidate, arm) => [candidate.key, arm]));
  const latency = { loadCost: () => 0 };
  const recorded: number[] = [];
  let regret = 0;
  let next = 0;
  for (let n = 1; n <= horizon; n++) {
    const chosen = strategy.rank(candidates, { random, now: 0, latency, priors })[0]!;
    const arm = indexOf.get(chosen.key)!;
    regret += best - means[arm]!;
    strategy.observe?.({ key: chosen.key, success: random() < means[arm]!, latencyMs: 0, pricePer1kMicros: undefined });
    if (n === checkpoints[next]) {
      recorded.push(regret);
      next++;
    }
  }
  return recorded;
}

export function simulateRegret(instance: SimulationInstance): RegretCurve {
  const checkpoints = logCheckpoints(instance.horizon);
  const uniform = checkpoints.map(() => 0);
  const withPriors = checkpoints.map(() => 0);
  for (let run = 0; run < instance.runs; run++) {
    // The same seed for both variants of a run: they differ only in the priors.
    const priors = historicalPriors(instance.means, instance.historyPerArm, seededRandom(instance.seed * 1_000_003 + run * 2 + 1));
    const plain = runOnce(instance.means, instance.horizon, checkpoints, seededRandom(instance.seed + run), undefined);
    const informed = runOnce(instance.means, instance.horizon, checkpoints, seededRandom(instance.seed + run), priors);
    plain.forEach((value, i) => (uniform[i]! += value / instance.runs));
    informed.forEach((value, i) => (withPriors[i]! += value / instance.runs));
  }
  const constant = laiRobbinsConstant(instance.means);
  return { checkpoints, uniform, withPriors, laiRobbins: checkpoints.map((n) => constant * Math.log(n)), laiRobbinsConstant: constant };
}
