import type { Counts } from '../burn-rate';

/**
 * Good/total request counts per SLO series (a tenant's SLO) in time buckets, shared by every
 * replica that records or reads them: the SLIs come from here, never from one process's memory.
 */
export interface SliCounters {
  /** Adds to the series at a time (a request's completion time). */
  add(series: string, at: Date, counts: Counts): Promise<void>;
  /** The counts of each window (seconds) ending at `now`, keyed by the window. */
  totals(series: string, now: Date, windowsSeconds: readonly number[]): Promise<Map<number, Counts>>;
}

/** The series of one tenant's SLO. */
export function sloSeries(tenantId: string, sloId: string): string {
  return `${encodeURIComponent(tenantId)}:${encodeURIComponent(sloId)}`;
}
