import type { Counts } from '../burn-rate';

/**
 * Good/total request counts per SLO series (a tenant's SLO) in time buckets, shared by every
 * replica that records or reads them: the SLIs come from here, never from one process's memory.
 */
export interface SliCounters {
  /**
   * Adds what one event (a request) contributes to each series, once: a replayed event id (a
   * stream redelivery, a second consumer) changes nothing and answers false. Event ids are
   * remembered for a day.
   */
  record(eventId: string, adds: readonly SliAdd[]): Promise<boolean>;
  /** The counts of each window (seconds) ending at `now`, keyed by the window. */
  totals(series: string, now: Date, windowsSeconds: readonly number[]): Promise<Map<number, Counts>>;
}

/** One series' share of an event: counted in the buckets of `at` (the request's completion time). */
export interface SliAdd {
  series: string;
  at: Date;
  counts: Counts;
}

/** How long an event id is remembered against replays. */
export const EVENT_ID_TTL_SECONDS = 86_400;

/** The series of one tenant's SLO. */
export function sloSeries(tenantId: string, sloId: string): string {
  return `${encodeURIComponent(tenantId)}:${encodeURIComponent(sloId)}`;
}
