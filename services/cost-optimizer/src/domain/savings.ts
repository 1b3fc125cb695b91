/**
 * Savings of a route against the tenant's baseline, and the bandit's regret against the best arm
 * in hindsight. Pure; money in integer micro-USD (bigint), like the rest of billing.
 */

export type SavingsBaseline = 'champion' | 'most_expensive';
export const SAVINGS_BASELINES: readonly SavingsBaseline[] = ['champion', 'most_expensive'];

export interface ModelPrice {
  inputPer1kMicros: bigint;
  outputPer1kMicros: bigint;
}

export interface ArmUsage {
  upstream: string;
  model: string;
  requests: number;
  promptTokens: bigint;
  completionTokens: bigint;
  /** What the traffic cost (billed), micro-USD. */
  costMicros: bigint;
}

/**
 * The model the baseline prices everything at. `champion`: the route's champion (its first
 * candidate) when the price book has it; `most_expensive`: the candidate with the highest
 * blended price. Undefined when no candidate has a price.
 */
export function baselineModel(baseline: SavingsBaseline, candidates: readonly string[], prices: ReadonlyMap<string, ModelPrice>): string | undefined {
  const priced = candidates.filter((model) => prices.has(model));
  if (priced.length === 0) return undefined;
  if (baseline === 'champion') return prices.has(candidates[0] ?? '') ? candidates[0] : priced[0];
  const blended = (model: string): bigint => {
    const price = prices.get(model)!;
    return price.inputPer1kMicros + price.outputPer1kMicros;
  };
  return priced.reduce((best, model) => (blended(model) > blended(best) ? model : best));
}

/** Tokens priced per 1k, rounded half up (the data plane's pricing rounds the same way). */
export function priceTokens(promptTokens: bigint, completionTokens: bigint, price: ModelPrice): bigint {
  return (promptTokens * price.inputPer1kMicros + completionTokens * price.outputPer1kMicros + 500n) / 1000n;
}

export interface Savings {
  requests: number;
  actualMicros: bigint;
  baselineMicros: bigint;
  /** baseline − actual; negative when the routing cost more than the baseline would have. */
  savingsMicros: bigint;
  /** savings / baseline × 100; 0 when the baseline cost nothing. */
  savingsPct: number;
}

export function routeSavings(arms: readonly ArmUsage[], baselinePrice: ModelPrice): Savings {
  let actual = 0n;
  let baseline = 0n;
  let requests = 0;
  for (const arm of arms) {
    actual += arm.costMicros;
    baseline += priceTokens(arm.promptTokens, arm.completionTokens, baselinePrice);
    requests += arm.requests;
  }
  const savings = baseline - actual;
  return { requests, actualMicros: actual, baselineMicros: baseline, savingsMicros: savings, savingsPct: baseline > 0n ? (Number(savings) / Number(baseline)) * 100 : 0 };
}

export interface ArmReward {
  requests: number;
  /** Mean reward of the arm's requests in [0, 1]. */
  meanReward: number;
}

export interface Regret {
  /** Σ requests × (best mean − arm mean): reward lost against sending everything to the best arm in hindsight. */
  cumulative: number;
  /** The same per request: the `regret_delta` the metrics and GraphQL show. */
  perRequest: number;
}

export function regretInHindsight(arms: readonly ArmReward[]): Regret {
  const played = arms.filter((arm) => arm.requests > 0);
  if (played.length === 0) return { cumulative: 0, perRequest: 0 };
  const best = Math.max(...played.map((arm) => arm.meanReward));
  const requests = played.reduce((sum, arm) => sum + arm.requests, 0);
  const cumulative = played.reduce((sum, arm) => sum + arm.requests * (best - arm.meanReward), 0);
  return { cumulative, perRequest: cumulative / requests };
}

/** The gain share of a month's savings: what the tenant owes under the agreed percentage (never negative). */
export function gainShareMicros(savingsMicros: bigint, sharePct: number): bigint {
  if (savingsMicros <= 0n) return 0n;
  return (savingsMicros * BigInt(Math.round(sharePct * 100))) / 10_000n;
}
