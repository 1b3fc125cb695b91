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
/** Two days of minutes: beyond that the input is not a cost window and gaps are left unfilled. */
const MAX_FILLED_POINTS = 2 * 24 * 60;
const EMPTY_BUCKET = { costUsd: 0, requests: 0, tokens: 0, shadowCostUsd: 0 } as const;

function minuteFormatter(timeZone: string | undefined): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone });
}

/**
 * Shapes the API's per-minute series for the chart: oldest first, one point per minute (gaps
 * between the first and last bucket filled with zeros, duplicate buckets summed), unparseable
 * timestamps dropped. The API promises most of this; the chart must not lie if it does not.
 */
export function shapeCostSeries(points: readonly CostPoint[], timeZone?: string): ChartPoint[] {
  const byMinute = new Map<number, { costUsd: number; requests: number; tokens: number; shadowCostUsd: number }>();
  for (const point of points) {
    const parsed = Date.parse(point.bucketStart);
    if (Number.isNaN(parsed)) continue;
    const minute = Math.floor(parsed / MINUTE_MS) * MINUTE_MS;
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
  const format = minuteFormatter(timeZone);
  const minuteLabel = (time: number) => format.format(time);
  const shaped: ChartPoint[] = [];
  if ((last - first) / MINUTE_MS >= MAX_FILLED_POINTS) {
    return minutes.map((time) => ({ time, label: minuteLabel(time), ...(byMinute.get(time) ?? EMPTY_BUCKET) }));
  }
  for (let time = first; time <= last; time += MINUTE_MS) {
    const bucket = byMinute.get(time) ?? EMPTY_BUCKET;
    shaped.push({ time, label: minuteLabel(time), ...bucket });
  }
  return shaped;
}

export function totalTokens(summary: Pick<CostSummary, 'promptTokens' | 'completionTokens'>): number {
  return summary.promptTokens + summary.completionTokens;
}

/** Most expensive model first; ties broken by name so the table does not reorder on every update. */
export function rankModels(models: readonly ModelCost[]): ModelCost[] {
  return [...models].sort((a, b) => b.costUsd - a.costUsd || a.model.localeCompare(b.model));
}
