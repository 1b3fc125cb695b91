import { microsToUsd } from '../cost-summary';
import type { LatencyBucketRow, LatencyGroupRow, RequestLogRow, SpendRow } from './request-log-store';

/** Windows of the performance and spend views, with the bucket width of their series. */
export const STATS_WINDOWS = {
  LAST_HOUR: { ms: 3_600_000, bucketSeconds: 60 },
  LAST_24_HOURS: { ms: 86_400_000, bucketSeconds: 1_800 },
  LAST_7_DAYS: { ms: 7 * 86_400_000, bucketSeconds: 6 * 3_600 },
} as const;
export type StatsWindow = keyof typeof STATS_WINDOWS;

export interface LatencyPoint {
  bucketStart: Date;
  requests: number;
  errorRate: number;
  refusedRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface LatencyGroup {
  key: string;
  requests: number;
  errors: number;
  refused: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  series: LatencyPoint[];
}

const rate = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);
const round = (ms: number | null): number | null => (ms === null ? null : Math.round(ms * 10) / 10);

/** The window [from, to) ending now, with its start aligned to a bucket so series buckets line up across calls. */
export function statsRange(window: StatsWindow, now: Date): { from: Date; to: Date; bucketSeconds: number } {
  const { ms, bucketSeconds } = STATS_WINDOWS[window];
  const bucketMs = bucketSeconds * 1000;
  const to = new Date(Math.floor(now.getTime() / bucketMs) * bucketMs + bucketMs);
  return { from: new Date(to.getTime() - ms), to, bucketSeconds };
}

/**
 * Groups with their series, every bucket of the window present (empty ones with zero requests and
 * no percentiles), oldest first: a chart reads gaps as gaps, not as interpolated lines.
 */
export function latencyGroupsOf(groups: readonly LatencyGroupRow[], buckets: readonly LatencyBucketRow[], from: Date, to: Date, bucketSeconds: number): LatencyGroup[] {
  const bucketMs = bucketSeconds * 1000;
  const byKey = new Map<string, Map<number, LatencyBucketRow>>();
  for (const row of buckets) {
    let series = byKey.get(row.key);
    if (!series) byKey.set(row.key, (series = new Map()));
    series.set(row.bucket.getTime(), row);
  }
  return groups.map((group) => {
    const rows = byKey.get(group.key);
    const series: LatencyPoint[] = [];
    for (let t = from.getTime(); t < to.getTime(); t += bucketMs) {
      const row = rows?.get(t);
      series.push({
        bucketStart: new Date(t),
        requests: row?.requests ?? 0,
        errorRate: row ? rate(row.errors, row.requests) : 0,
        refusedRate: row ? rate(row.refused, row.requests) : 0,
        p50Ms: round(row?.p50 ?? null),
        p95Ms: round(row?.p95 ?? null),
        p99Ms: round(row?.p99 ?? null),
      });
    }
    return {
      key: group.key,
      requests: group.requests,
      errors: group.errors,
      refused: group.refused,
      errorRate: rate(group.errors, group.requests),
      p50Ms: round(group.p50),
      p95Ms: round(group.p95),
      p99Ms: round(group.p99),
      series,
    };
  });
}

export interface SpendGroup {
  key: string | null;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export function spendGroupsOf(rows: readonly SpendRow[]): SpendGroup[] {
  return rows.map((row) => ({ key: row.key, requests: row.requests, promptTokens: row.promptTokens, completionTokens: row.completionTokens, costUsd: microsToUsd(row.costMicros) }));
}

/** The API's view of a stored entry: money in USD, the API key as a federation reference (its name comes from the tenants subgraph). */
export interface RequestLogEntryView extends Omit<RequestLogRow, 'costMicros' | 'apiKeyId' | 'decision' | 'policyDecisions'> {
  costUsd: number;
  apiKey: { __typename: 'ApiKey'; id: string } | null;
  decision: unknown;
  policyDecisions: unknown[];
}

export function entryViewOf(row: RequestLogRow): RequestLogEntryView {
  const { costMicros, apiKeyId, decision, policyDecisions, ...rest } = row;
  return {
    ...rest,
    costUsd: microsToUsd(costMicros),
    apiKey: apiKeyId === null ? null : { __typename: 'ApiKey', id: apiKeyId },
    decision: decision ?? null,
    policyDecisions: Array.isArray(policyDecisions) ? (policyDecisions as unknown[]) : [],
  };
}
