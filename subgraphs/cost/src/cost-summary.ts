/**
 * Pure cost arithmetic: windows of one-minute rollups and the summary the API returns, whose series
 * has one point per bucket of the window's size (a minute for short windows, coarser for 24 h).
 * Money stays in integer micro-USD (bigint) until the very end, so sums never drift.
 */
export const COST_WINDOWS = ['LAST_15_MINUTES', 'LAST_HOUR', 'LAST_24_HOURS'] as const;
export type CostWindow = (typeof COST_WINDOWS)[number];

const MINUTE_MS = 60_000;
const WINDOW_MINUTES: Record<CostWindow, number> = { LAST_15_MINUTES: 15, LAST_HOUR: 60, LAST_24_HOURS: 24 * 60 };
/**
 * Series bucket size per window, chosen here so a long window stays cheap to build, send and merge:
 * 24 h of minutes were 1,440 points (~40 ms of CPU per read through the gateway, and what every live
 * refresh re-sent); 15-minute buckets are 96-97 points, still finer than a chart of that width shows.
 */
const BUCKET_MINUTES: Record<CostWindow, number> = { LAST_15_MINUTES: 1, LAST_HOUR: 1, LAST_24_HOURS: 15 };

/** Seconds covered by one point of the window's series (`CostSummary.bucketSeconds`). */
export function bucketSecondsOf(window: CostWindow): number {
  return BUCKET_MINUTES[window] * 60;
}

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
  /** Start of the bucket, a multiple of its size since the epoch (stable across refreshes). */
  bucketStart: Date;
  costUsd: number;
  requests: number;
  tokens: number;
  /** Shadow copies in the same bucket: not part of `costUsd`/`requests`/`tokens`. */
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
  /** Size of one series bucket (60 for the short windows). */
  bucketSeconds: number;
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
 * Rows outside the window are ignored; every bucket that overlaps the window gets a point, oldest
 * first. Buckets are aligned to multiples of their size, so with buckets coarser than a minute the
 * first and last one may hold only the part of their span inside the window.
 * Shadow rows never reach the client totals: they are the tenant's shadow cost, summed apart.
 */
export function summarizeCost(
  tenantId: string,
  window: CostWindow,
  now: Date,
  rows: readonly CostRollupRow[],
  shadowRows: readonly ShadowCostRollupRow[] = [],
): CostSummary {
  const { first, last } = windowBuckets(window, now);
  const bucketMs = bucketSecondsOf(window) * 1000;
  const firstBucket = Math.floor(first.getTime() / bucketMs) * bucketMs;
  const buckets = Math.floor((last.getTime() - firstBucket) / bucketMs) + 1;
  const perBucket = Array.from({ length: buckets }, emptyTotals);
  const shadowPerBucket = Array.from({ length: buckets }, emptyTotals);
  const perModel = new Map<string, Totals>();
  const overall = emptyTotals();
  const shadowOverall = emptyTotals();
  // Keyed by experiment id + NUL + model (neither contains NUL).
  const perShadow = new Map<string, Totals>();

  const bucketIndex = (bucketStart: Date): number | undefined => {
    const time = bucketStart.getTime();
    if (time < first.getTime() || time > last.getTime()) return undefined;
    return Math.floor((time - firstBucket) / bucketMs);
  };

  for (const row of rows) {
    const index = bucketIndex(row.bucketStart);
    const bucket = index === undefined ? undefined : perBucket[index];
    if (!bucket) continue;
    add(bucket, row);
    add(overall, row);
    add(totalsFor(perModel, row.model), row);
  }

  for (const row of shadowRows) {
    const index = bucketIndex(row.bucketStart);
    const bucket = index === undefined ? undefined : shadowPerBucket[index];
    if (!bucket) continue;
    add(bucket, row);
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
    bucketSeconds: bucketMs / 1000,
    series: perBucket.map((totals, index) => ({
      bucketStart: new Date(firstBucket + index * bucketMs),
      costUsd: microsToUsd(totals.costMicros),
      requests: totals.requests,
      tokens: Number(totals.promptTokens + totals.completionTokens),
      shadowCostUsd: microsToUsd(shadowPerBucket[index]?.costMicros ?? 0n),
      shadowRequests: shadowPerBucket[index]?.requests ?? 0,
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
