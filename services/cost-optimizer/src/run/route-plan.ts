import { judgeCanary, cohortOf, requestReward, type CanaryRule, type CanaryVerdict, type RewardBounds } from '../domain/canary';
import { baselineModel, regretInHindsight, routeSavings, type ModelPrice, type SavingsBaseline } from '../domain/savings';
import { priorsFromScores, scoreArms, type ArmFeatures, type BetaPrior, type ObjectiveWeights } from '../domain/scoring';
import type { FeatureRow, SavingsRow } from '../store/optimizer-store';

/** What one run decides for one route, from its snapshot features. Pure. */

export function armFeaturesOf(row: FeatureRow): ArmFeatures {
  const tokens = Number(row.promptTokens + row.completionTokens);
  return {
    upstream: row.upstream,
    requests: row.requests,
    successRate: row.requests > 0 ? row.successes / row.requests : 0,
    quality: row.qualitySamples > 0 ? row.quality : null,
    latencyP95Ms: row.latencyP95Ms,
    costPer1kMicros: tokens > 0 ? (Number(row.costMicros) * 1000) / tokens : 0,
  };
}

export function rewardBoundsOf(arms: readonly ArmFeatures[]): RewardBounds {
  return { maxCostPer1kMicros: Math.max(0, ...arms.map((arm) => arm.costPer1kMicros)), maxLatencyMs: Math.max(0, ...arms.map((arm) => arm.latencyP95Ms)) };
}

export function newPriors(rows: readonly FeatureRow[], weights?: ObjectiveWeights): BetaPrior[] {
  return priorsFromScores(scoreArms(rows.map(armFeaturesOf), weights));
}

/** Whether new priors differ enough from the current ones to be worth a canary (mean moved by ≥ 0.01, or an arm added or gone). */
export function priorsChanged(current: readonly { upstream: string; alpha: number; beta: number }[], next: readonly BetaPrior[]): boolean {
  if (current.length !== next.length) return true;
  const mean = (p: { alpha: number; beta: number }) => p.alpha / (p.alpha + p.beta);
  return next.some((prior) => {
    const found = current.find((c) => c.upstream === prior.upstream);
    return !found || Math.abs(mean(found) - mean(prior)) >= 0.01;
  });
}

export interface CohortRequest {
  priors: string | null;
  success: boolean;
  latencyMs: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: bigint;
}

export function judgeCohorts(requests: readonly CohortRequest[], bounds: RewardBounds, rule?: CanaryRule): CanaryVerdict {
  const reward = (r: CohortRequest) => {
    const tokens = r.promptTokens + r.completionTokens;
    return requestReward({ success: r.success, latencyMs: r.latencyMs, costPer1kMicros: tokens > 0 ? (Number(r.costMicros) * 1000) / tokens : 0 }, bounds);
  };
  return judgeCanary(cohortOf(requests.filter((r) => r.priors === 'canary').map(reward)), cohortOf(requests.filter((r) => r.priors === 'active').map(reward)), rule);
}

/** Savings against the tenant's baseline and regret against the best arm in hindsight, for one route's snapshot. */
export function savingsOf(
  route: string,
  rows: readonly FeatureRow[],
  candidates: readonly string[],
  prices: ReadonlyMap<string, ModelPrice>,
  baseline: SavingsBaseline,
): SavingsRow | undefined {
  const model = baselineModel(baseline, candidates, prices);
  if (!model) return undefined;
  const savings = routeSavings(
    rows.map((row) => ({ upstream: row.upstream, model: row.model, requests: row.requests, promptTokens: row.promptTokens, completionTokens: row.completionTokens, costMicros: row.costMicros })),
    prices.get(model)!,
  );
  const arms = rows.map(armFeaturesOf);
  const bounds = rewardBoundsOf(arms);
  // An arm's mean reward: its success rate times the reward of a successful request at its typical (p50) latency and its cost.
  const regret = regretInHindsight(
    rows.map((row, i) => ({
      requests: row.requests,
      meanReward: arms[i]!.successRate * requestReward({ success: true, latencyMs: row.latencyP50Ms, costPer1kMicros: arms[i]!.costPer1kMicros }, bounds),
    })),
  );
  return {
    route,
    baseline,
    baselineModel: model,
    requests: savings.requests,
    actualMicros: savings.actualMicros,
    baselineMicros: savings.baselineMicros,
    savingsPct: savings.savingsPct,
    regret: regret.cumulative,
    regretDelta: regret.perRequest,
  };
}
