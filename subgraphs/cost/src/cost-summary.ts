/**
 * Pure cost arithmetic: windows of one-minute buckets and the summary the API returns.
 * Money stays in integer micro-USD (bigint) until the very end, so sums never drift.
 */
export const COST_WINDOWS = ['LAST_15_MINUTES', 'LAST_HOUR', 'LAST_24_HOURS'] as const;
export type CostWindow = (typeof COST_WINDOWS)[number];

const MINUTE_MS = 60_000;
const WINDOW_MINUTES: Record<CostWindow, number> = { LAST_15_MINUTES: 15, LAST_HOUR: 60, LAST_24_HOURS: 24 * 60 };

/** One row of `cost_rollups`: totals for a tenant, a model and a minute. */
export interface CostRollupRow {
  bucketStart: Date;
  model: string;
  requests: number;
  promptTokens: bigint;
  completionTokens: bigint;
  costMicros: bigint;
}

/** One row of `shadow_cost_rollups`: shadow copies of a tenant, an experiment and a model in a minute. */
export interface ShadowCostRollupRow extends CostRollupRow {
  experimentId: string;
}

export interface CostPoint {
  bucketStart: Date;
  costUsd: number;
  requests: number;
  tokens: number;
  /** Shadow copies in the same minute: not part of `costUsd`/`requests`/`tokens`. */
  shadowCostUsd: number;
  shadowRequests: number;
}

export interface ModelCost {
  model: string;
  costUsd: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

/** Shadow cost of one experiment's challenger model. */
export interface ShadowCost {
  experimentId: string;
  model: string;
  costUsd: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

export interface CostSummary {
  tenantId: string;
  window: CostWindow;
  /** Client traffic only; shadow copies are in the `shadow*` fields. */
  totalCostUsd: number;
  totalRequests: number;
  promptTokens: number;
  completionTokens: number;
  series: CostPoint[];
  byModel: ModelCost[];
  shadowCostUsd: number;
  shadowRequests: number;
  shadowByExperiment: ShadowCost[];
}

export function floorToMinute(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / MINUTE_MS) * MINUTE_MS);
}

/** The buckets of a window ending with the (partial) current minute: [first, last], both bucket starts. */
export function windowBuckets(window: CostWindow, now: Date): { first: Date; last: Date; minutes: number } {
  const minutes = WINDOW_MINUTES[window];
  const last = floorToMinute(now);
  return { first: new Date(last.getTime() - (minutes - 1) * MINUTE_MS), last, minutes };
}

export function microsToUsd(micros: bigint): number {
  return Number(micros) / 1e6;
}

interface Totals {
  requests: number;
  promptTokens: bigint;
  completionTokens: bigint;
  costMicros: bigint;
}

const emptyTotals = (): Totals => ({ requests: 0, promptTokens: 0n, completionTokens: 0n, costMicros: 0n });

function add(totals: Totals, row: CostRollupRow): void {
  totals.requests += row.requests;
  totals.promptTokens += row.promptTokens;
  totals.completionTokens += row.completionTokens;
  totals.costMicros += row.costMicros;
}

function totalsFor<K>(map: Map<K, Totals>, key: K): Totals {
  let totals = map.get(key);
  if (!totals) {
    totals = emptyTotals();
    map.set(key, totals);
  }
  return totals;
}

/**
 * Rows outside the window are ignored; every minute of the window gets a point, oldest first.
 * Shadow rows never reach the client totals: they are the tenant's shadow cost, summed apart.
 */
export function summarizeCost(
  tenantId: string,
  window: CostWindow,
  now: Date,
  rows: readonly CostRollupRow[],
  shadowRows: readonly ShadowCostRollupRow[] = [],
): CostSummary {
  const { first, last, minutes } = windowBuckets(window, now);
  const perMinute = Array.from({ length: minutes }, emptyTotals);
  const shadowPerMinute = Array.from({ length: minutes }, emptyTotals);
  const perModel = new Map<string, Totals>();
  const overall = emptyTotals();
  const shadowOverall = emptyTotals();
  // Keyed by experiment id + NUL + model (neither contains NUL).
  const perShadow = new Map<string, Totals>();

  const minuteIndex = (bucketStart: Date): number | undefined => {
    const time = bucketStart.getTime();
    if (time < first.getTime() || time > last.getTime()) return undefined;
    return Math.floor((time - first.getTime()) / MINUTE_MS);
  };

  for (const row of rows) {
    const index = minuteIndex(row.bucketStart);
    const minute = index === undefined ? undefined : perMinute[index];
    if (!minute) continue;
    add(minute, row);
    add(overall, row);
    add(totalsFor(perModel, row.model), row);
  }

  for (const row of shadowRows) {
    const index = minuteIndex(row.bucketStart);
    const minute = index === undefined ? undefined : shadowPerMinute[index];
    if (!minute) continue;
    add(minute, row);
    add(shadowOverall, row);
    add(totalsFor(perShadow, `${row.experimentId}\u0000${row.model}`), row);
  }

  return {
    tenantId,
    window,
    totalCostUsd: microsToUsd(overall.costMicros),
    totalRequests: overall.requests,
    promptTokens: Number(overall.promptTokens),
    completionTokens: Number(overall.completionTokens),
    series: perMinute.map((totals, index) => ({
      bucketStart: new Date(first.getTime() + index * MINUTE_MS),
      costUsd: microsToUsd(totals.costMicros),
      requests: totals.requests,
      tokens: Number(totals.promptTokens + totals.completionTokens),
      shadowCostUsd: microsToUsd(shadowPerMinute[index]?.costMicros ?? 0n),
      shadowRequests: shadowPerMinute[index]?.requests ?? 0,
    })),
    byModel: [...perModel.entries()]
      .map(([model, totals]) => ({
        model,
        costUsd: microsToUsd(totals.costMicros),
        requests: totals.requests,
        promptTokens: Number(totals.promptTokens),
        completionTokens: Number(totals.completionTokens),
      }))
      // Most expensive first; ties by name so the order is stable.
      .sort((a, b) => b.costUsd - a.costUsd || a.model.localeCompare(b.model)),
    shadowCostUsd: microsToUsd(shadowOverall.costMicros),
    shadowRequests: shadowOverall.requests,
    shadowByExperiment: [...perShadow.entries()]
      .map(([key, totals]) => {
        const [experimentId = '', model = ''] = key.split('\u0000');
        return {
          experimentId,
          model,
          costUsd: microsToUsd(totals.costMicros),
          requests: totals.requests,
          promptTokens: Number(totals.promptTokens),
          completionTokens: Number(totals.completionTokens),
        };
      })
      .sort((a, b) => b.costUsd - a.costUsd || a.experimentId.localeCompare(b.experimentId) || a.model.localeCompare(b.model)),
  };
}
