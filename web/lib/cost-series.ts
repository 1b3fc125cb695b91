import type { CostPoint, CostSummary, ModelCost } from './operations';

export interface ChartPoint {
  /** Epoch milliseconds of the bucket start (numeric x axis). */
  time: number;
  label: string;
  costUsd: number;
  requests: number;
  tokens: number;
  /** Shadow copies (challengers off the client's path): a series of its own, never in costUsd. */
  shadowCostUsd: number;
}

const MINUTE_MS = 60_000;
/** Two days of minutes: beyond that many points the input is not a cost window and gaps are left unfilled. */
const MAX_FILLED_POINTS = 2 * 24 * 60;

export interface ShapeOptions {
  /** The summary's `bucketSeconds` (60 when absent): gaps are filled at that step. */
  bucketSeconds?: number;
  /** IANA zone of the labels (default: the browser's). */
  timeZone?: string;
}
const EMPTY_BUCKET = { costUsd: 0, requests: 0, tokens: 0, shadowCostUsd: 0 } as const;

function minuteFormatter(timeZone: string | undefined): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone });
}

/**
 * Shapes the API's series for the chart: oldest first, one point per bucket of the summary's size
 * (a minute, or coarser for long windows; gaps between the first and last bucket filled with zeros,
 * duplicate buckets summed), unparseable timestamps dropped. The API promises most of this; the
 * chart must not lie if it does not.
 */
export function shapeCostSeries(points: readonly CostPoint[], options: ShapeOptions = {}): ChartPoint[] {
  const seconds = options.bucketSeconds;
  // A bucket size the API would never send (zero, negative, fractional minutes) falls back to a minute.
  const bucketMs = seconds !== undefined && Number.isInteger(seconds / 60) && seconds > 0 ? seconds * 1000 : MINUTE_MS;
  const byMinute = new Map<number, { costUsd: number; requests: number; tokens: number; shadowCostUsd: number }>();
  for (const point of points) {
    const parsed = Date.parse(point.bucketStart);
    if (Number.isNaN(parsed)) continue;
    const minute = Math.floor(parsed / bucketMs) * bucketMs;
    const existing = byMinute.get(minute) ?? EMPTY_BUCKET;
    byMinute.set(minute, {
      costUsd: existing.costUsd + point.costUsd,
      requests: existing.requests + point.requests,
      tokens: existing.tokens + point.tokens,
      shadowCostUsd: existing.shadowCostUsd + point.shadowCostUsd,
    });
  }
  if (byMinute.size === 0) return [];
  const minutes = [...byMinute.keys()].sort((a, b) => a - b);
  const first = minutes[0] ?? 0;
  const last = minutes[minutes.length - 1] ?? first;
  const format = minuteFormatter(options.timeZone);
  const minuteLabel = (time: number) => format.format(time);
  const shaped: ChartPoint[] = [];
  if ((last - first) / bucketMs >= MAX_FILLED_POINTS) {
    return minutes.map((time) => ({ time, label: minuteLabel(time), ...(byMinute.get(time) ?? EMPTY_BUCKET) }));
  }
  for (let time = first; time <= last; time += bucketMs) {
    const bucket = byMinute.get(time) ?? EMPTY_BUCKET;
    shaped.push({ time, label: minuteLabel(time), ...bucket });
  }
  return shaped;
}

/** The chart's title for a bucket size: "Cost per minute", "Cost per 15 minutes". */
export function costChartTitle(bucketSeconds: number | undefined): string {
  const minutes = bucketSeconds !== undefined && bucketSeconds > 60 ? Math.round(bucketSeconds / 60) : 1;
  return minutes === 1 ? 'Cost per minute' : `Cost per ${minutes} minutes`;
}

export function totalTokens(summary: Pick<CostSummary, 'promptTokens' | 'completionTokens'>): number {
  return summary.promptTokens + summary.completionTokens;
}

/** Most expensive model first; ties broken by name so the table does not reorder on every update. */
export function rankModels(models: readonly ModelCost[]): ModelCost[] {
  return [...models].sort((a, b) => b.costUsd - a.costUsd || a.model.localeCompare(b.model));
}
