import type { RequestLogEntry, RequestLogFilter, RequestOutcome, StatsWindow } from './request-log-operations';

/** How a request ended, for its badge: refused before any provider, failed after, or answered. */
export function outcomeOf(entry: Pick<RequestLogEntry, 'status' | 'refused' | 'errorCode'>): 'ok' | 'error' | 'refused' {
  if (entry.refused) return 'refused';
  if (entry.status >= 400 || entry.errorCode !== null) return 'error';
  return 'ok';
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function formatPercent(rate: number): string {
  return `${(rate * 100).toFixed(rate > 0 && rate < 0.01 ? 2 : 1)} %`;
}

const WINDOW_MS: Record<StatsWindow, number> = { LAST_HOUR: 3_600_000, LAST_24_HOURS: 86_400_000, LAST_7_DAYS: 7 * 86_400_000 };

/** What the filter form holds (strings, as typed). */
export interface FilterDraft {
  window: StatsWindow;
  outcome: '' | RequestOutcome;
  status: string;
  route: string;
  model: string;
  apiKeyId: string;
  userId: string;
  traceId: string;
  minLatencyMs: string;
  minCostUsd: string;
}

export const EMPTY_DRAFT: FilterDraft = { window: 'LAST_24_HOURS', outcome: '', status: '', route: '', model: '', apiKeyId: '', userId: '', traceId: '', minLatencyMs: '', minCostUsd: '' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRACE_ID = /^[0-9a-f]{32}$/;

/**
 * The API filter from the form, or the first problem in words (checked here so a typo gets a
 * sentence next to the field instead of a round trip; the server checks again).
 */
export function filterFromDraft(draft: FilterDraft, now: number): { ok: true; filter: RequestLogFilter } | { ok: false; message: string } {
  const filter: RequestLogFilter = { from: new Date(now - WINDOW_MS[draft.window]).toISOString() };
  if (draft.outcome) filter.outcome = draft.outcome;
  if (draft.status.trim()) {
    const status = Number(draft.status.trim());
    if (!Number.isInteger(status) || status < 100 || status > 599) return { ok: false, message: 'Status must be an HTTP status code such as 200 or 429.' };
    filter.status = status;
  }
  if (draft.route.trim()) filter.route = draft.route.trim();
  if (draft.model.trim()) filter.model = draft.model.trim();
  if (draft.apiKeyId.trim()) {
    if (!UUID.test(draft.apiKeyId.trim())) return { ok: false, message: 'An API key id is a UUID (shown in the keys table and in each request’s detail).' };
    filter.apiKeyId = draft.apiKeyId.trim().toLowerCase();
  }
  if (draft.userId.trim()) filter.userId = draft.userId.trim();
  if (draft.traceId.trim()) {
    const traceId = draft.traceId.trim().toLowerCase();
    if (!TRACE_ID.test(traceId)) return { ok: false, message: 'A trace id is 32 hexadecimal characters.' };
    filter.traceId = traceId;
  }
  if (draft.minLatencyMs.trim()) {
    const ms = Number(draft.minLatencyMs.trim());
    if (!Number.isInteger(ms) || ms < 0) return { ok: false, message: 'Minimum latency is a whole number of milliseconds.' };
    filter.minLatencyMs = ms;
  }
  if (draft.minCostUsd.trim()) {
    const usd = Number(draft.minCostUsd.trim());
    if (!Number.isFinite(usd) || usd < 0) return { ok: false, message: 'Minimum cost is an amount in USD, such as 0.01.' };
    filter.minCostUsd = usd;
  }
  return { ok: true, filter };
}

/**
 * A pushed newest page merged into what the page shows: entries not shown yet go on top (newest
 * first, as the page holds them); rows already shown, and older pages loaded with "Load more", stay.
 */
export function mergeNewest<T extends Pick<RequestLogEntry, 'requestId'>>(shown: T[], newest: readonly T[]): T[] {
  const known = new Set(shown.map((row) => row.requestId));
  const fresh = newest.filter((row) => !known.has(row.requestId));
  // The same array when nothing is new, so React skips the render.
  return fresh.length === 0 ? shown : [...fresh, ...shown];
}
