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

export interface CostPoint {
  bucketStart: Date;
  costUsd: number;
  requests: number;
  tokens: number;
}

export interface ModelCost {
  model: string;
  costUsd: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

export interface CostSummary {
  tenantId: string;
  window: CostWindow;
  totalCostUsd: number;
  totalRequests: number;
  promptTokens: number;
  completionTokens: number;
  series: CostPoint[];
  byModel: ModelCost[];
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

/** Rows outside the window are ignored; every minute of the window gets a point, oldest first. */
export function summarizeCost(tenantId: string, window: CostWindow, now: Date, rows: readonly CostRollupRow[]): CostSummary {
  const { first, last, minutes } = windowBuckets(window, now);
  const perMinute = Array.from({ length: minutes }, emptyTotals);
  const perModel = new Map<string, Totals>();
  const overall = emptyTotals();

  for (const row of rows) {
    const time = row.bucketStart.getTime();
    if (time < first.getTime() || time > last.getTime()) continue;
    const minute = perMinute[Math.floor((time - first.getTime()) / MINUTE_MS)];
    if (!minute) continue;
    add(minute, row);
    add(overall, row);
    let model = perModel.get(row.model);
    if (!model) {
      model = emptyTotals();
      perModel.set(row.model, model);
    }
    add(model, row);
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
  };
}
