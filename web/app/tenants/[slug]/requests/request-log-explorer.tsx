'use client';

import { Fragment, useRef, useState, type FormEvent } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import { formatUsd } from '../../../../lib/cost-format';
import { formatTimestamp } from '../../../../lib/display';
import { EMPTY_DRAFT, filterFromDraft, formatMs, mergeNewest, outcomeOf, type FilterDraft } from '../../../../lib/request-log-format';
import { requestLogEntryQuery, requestLogQuery, REQUEST_OUTCOMES, STATS_WINDOWS, type RequestDetail as Detail, type RequestLogEntry, type RequestLogFilter, type RequestLogPage } from '../../../../lib/request-log-operations';
import { RequestDetail } from './request-detail';
import styles from './requests.module.css';
import { useLiveRequestLog } from './use-live-request-log';

export const REQUEST_LOG_PAGE_SIZE = 50;

const OUTCOME_BADGE = { ok: 'badge badgeSuccess', error: 'badge badgeDanger', refused: 'badge badgeWarning' } as const;
const WINDOW_LABEL = { LAST_HOUR: 'Last hour', LAST_24_HOURS: 'Last 24 hours', LAST_7_DAYS: 'Last 7 days' } as const;

function callerOf(entry: RequestLogEntry): string {
  if (entry.apiKey) return entry.apiKey.name ?? entry.apiKey.id.slice(0, 8);
  return entry.userId ?? '—';
}

function defaultFilter(): RequestLogFilter {
  return (filterFromDraft(EMPTY_DRAFT, Date.now()) as { ok: true; filter: RequestLogFilter }).filter;
}

export function RequestLogExplorer(props: { tenantId: string; wsUrl: string; initialPage: RequestLogPage | null }) {
  const { tenantId } = props;
  const [draft, setDraft] = useState<FilterDraft>(EMPTY_DRAFT);
  const [filter, setFilter] = useState<RequestLogFilter | null>(null);
  // What the live page follows when no filter is applied: the default window from when the page opened.
  const [unfiltered, setUnfiltered] = useState<RequestLogFilter>(defaultFilter);
  const [formError, setFormError] = useState<string | null>(null);
  const [rows, setRows] = useState<RequestLogEntry[]>(props.initialPage?.entries ?? []);
  const [endCursor, setEndCursor] = useState<string | null>(props.initialPage?.endCursor ?? null);
  const [hasNextPage, setHasNextPage] = useState(props.initialPage?.hasNextPage ?? false);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [details, setDetails] = useState<Record<string, Detail | 'loading' | { error: string }>>({});
  // Answers to a query since replaced (new filter) are dropped.
  const ticket = useRef(0);
  const following = filter ?? unfiltered;
  const { status: liveStatus, error: liveError } = useLiveRequestLog({
    wsUrl: props.wsUrl,
    tenantId,
    filter: following,
    first: REQUEST_LOG_PAGE_SIZE,
    // New requests go on top; rows already shown (and pages loaded with "Load more") stay.
    onNewest: (page) => setRows((previous) => mergeNewest(previous, page.entries)),
  });

  async function load(next: RequestLogFilter, after: string | null) {
    const mine = after === null ? ++ticket.current : ticket.current;
    setLoading(true);
    const result = await callConsoleApi(requestLogQuery, { tenantId, filter: next, first: REQUEST_LOG_PAGE_SIZE, after });
    if (mine !== ticket.current) return;
    setLoading(false);
    if (!result.ok) {
      setLoadError(result.error.message);
      return;
    }
    setLoadError(null);
    const page = result.data.requestLog;
    setRows((previous) => {
      const base = after === null ? [] : previous;
      const known = new Set(base.map((row) => row.requestId));
      return [...base, ...page.entries.filter((entry) => !known.has(entry.requestId))];
    });
    setEndCursor(page.endCursor);
    setHasNextPage(page.hasNextPage);
  }

  function apply(event?: FormEvent<HTMLFormElement>) {
    event?.preventDefault();
    const parsed = filterFromDraft(draft, Date.now());
    if (!parsed.ok) {
      setFormError(parsed.message);
      return;
    }
    setFormError(null);
    setFilter(parsed.filter);
    setOpen(null);
    void load(parsed.filter, null);
  }

  async function toggle(entry: RequestLogEntry) {
    if (open === entry.requestId) {
      setOpen(null);
      return;
    }
    setOpen(entry.requestId);
    if (details[entry.requestId] && details[entry.requestId] !== 'loading') return;
    setDetails((previous) => ({ ...previous, [entry.requestId]: 'loading' }));
    const result = await callConsoleApi(requestLogEntryQuery, { tenantId, requestId: entry.requestId });
    const detail = result.ok ? (result.data.requestLogEntry ?? { error: 'This request is no longer in the log (past its retention).' }) : { error: result.error.message };
    setDetails((previous) => ({ ...previous, [entry.requestId]: detail }));
  }

  const field = (key: keyof FilterDraft, label: string, placeholder: string, className = '') => (
    <input className={`input ${className}`} aria-label={label} placeholder={placeholder} data-testid={`filter-${key}`} value={draft[key]} onChange={(event) => setDraft({ ...draft, [key]: event.target.value })} />
  );

  return (
    <div className="stack">
      <form className={styles.filters} onSubmit={apply} aria-label="Filter requests">
        <select className="input" aria-label="Time range" data-testid="filter-window" value={draft.window} onChange={(event) => setDraft({ ...draft, window: event.target.value as FilterDraft['window'] })}>
          {STATS_WINDOWS.map((window) => (
            <option key={window} value={window}>
              {WINDOW_LABEL[window]}
            </option>
          ))}
        </select>
        <select className="input" aria-label="Outcome" data-testid="filter-outcome" value={draft.outcome} onChange={(event) => setDraft({ ...draft, outcome: event.target.value as FilterDraft['outcome'] })}>
          <option value="">Any outcome</option>
          {REQUEST_OUTCOMES.map((outcome) => (
            <option key={outcome} value={outcome}>
              {outcome.toLowerCase()}
            </option>
          ))}
        </select>
        {field('status', 'Status', 'status', styles.narrow)}
        {field('route', 'Route', 'route')}
        {field('model', 'Model', 'model')}
        {field('apiKeyId', 'API key id', 'API key id')}
        {field('userId', 'User', 'user:…')}
        {field('traceId', 'Trace id', 'trace id')}
        {field('minLatencyMs', 'Minimum latency (ms)', '≥ ms', styles.narrow)}
        {field('minCostUsd', 'Minimum cost (USD)', '≥ $', styles.narrow)}
        <button className="button" type="submit" data-testid="filter-apply">
          Apply
        </button>
        {filter ? (
          <button
            className="button buttonSecondary"
            type="button"
            onClick={() => {
              setDraft(EMPTY_DRAFT);
              const next = defaultFilter();
              setFilter(null);
              setUnfiltered(next);
              void load(next, null);
            }}
          >
            Clear
          </button>
        ) : null}
      </form>
      {formError ? (
        <div className="alert" role="alert" data-testid="filter-error">
          {formError}
        </div>
      ) : null}
      {liveError ? (
        <div className="alert" role="alert" data-testid="live-error">
          Live updates failed: {liveError}
        </div>
      ) : null}
      {loadError ? (
        <div className="alert" role="alert" data-testid="request-log-error">
          Could not read the request log: {loadError}
        </div>
      ) : null}
      <section className="card" aria-label="Requests">
        <div className="cardHeader">
          <h2>Requests</h2>
          <span className={styles.headerMeta}>
            <span className="muted" data-testid="request-count">
              {rows.length} shown{hasNextPage ? ', more available' : ''}
            </span>
            <span className={`badge ${liveStatus === 'live' ? 'badgeSuccess' : 'badgeWarning'}`} role="status" aria-live="polite" title={liveStatus === 'live' ? 'New requests appear at the top as they are logged.' : 'Reconnecting; meanwhile the newest requests are read every 15 s.'}>
              <span data-testid="live-status">{liveStatus}</span>
            </span>
          </span>
        </div>
        <div className="tableWrap">
          <table className={`table ${styles.table}`}>
            <thead>
              <tr>
                <th>Time</th>
                <th>Status</th>
                <th>Caller</th>
                <th>Route</th>
                <th>Model</th>
                <th className="numeric">Latency</th>
                <th className="numeric">TTFT</th>
                <th className="numeric">Tokens</th>
                <th className="numeric">Cost</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((entry) => {
                const outcome = outcomeOf(entry);
                const detail = details[entry.requestId];
                return (
                  <Fragment key={entry.requestId}>
                    <tr
                      className={styles.row}
                      data-testid="request-row"
                      data-status={entry.status}
                      data-request-id={entry.requestId}
                      tabIndex={0}
                      aria-expanded={open === entry.requestId}
                      onClick={() => void toggle(entry)}
                      onKeyDown={(event) => {
                        if (event.key === 'Enter' || event.key === ' ') {
                          event.preventDefault();
                          void toggle(entry);
                        }
                      }}
                    >
                      <td className="muted">{formatTimestamp(entry.startedAt)}</td>
                      <td>
                        <span className={OUTCOME_BADGE[outcome]} title={entry.errorCode ?? undefined}>
                          {entry.status}
                        </span>
                        {entry.errorCode ? <code className={styles.code}>{entry.errorCode}</code> : null}
                      </td>
                      <td className={styles.clip} title={entry.apiKey?.id ?? entry.userId ?? undefined}>
                        {callerOf(entry)}
                      </td>
                      <td className={styles.clip}>{entry.route ?? <span className="muted">—</span>}</td>
                      <td className={styles.clip}>{entry.model ?? <span className="muted">—</span>}</td>
                      <td className="numeric">{formatMs(entry.latencyMs)}</td>
                      <td className="numeric">{formatMs(entry.ttftMs)}</td>
                      <td className="numeric">{entry.promptTokens + entry.completionTokens}</td>
                      <td className="numeric">{formatUsd(entry.costUsd)}</td>
                    </tr>
                    {open === entry.requestId ? (
                      <tr className={styles.detailRow}>
                        <td colSpan={9}>
                          {detail === undefined || detail === 'loading' ? (
                            <p className="muted">Loading…</p>
                          ) : 'error' in detail ? (
                            <div className="alert" role="alert">
                              {detail.error}
                            </div>
                          ) : (
                            <RequestDetail detail={detail} />
                          )}
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
          {rows.length === 0 && !loading ? <p className="empty">{filter ? 'No requests match the filter.' : 'No requests in the last 24 hours.'}</p> : null}
          {rows.length === 0 && loading ? <p className="empty">Loading requests…</p> : null}
        </div>
        {hasNextPage ? (
          <div className={styles.more}>
            <button
              className="button buttonSecondary"
              type="button"
              data-testid="request-load-more"
              disabled={loading}
              onClick={() => {
                void load(following, endCursor);
              }}
            >
              {loading ? 'Loading…' : `Load ${REQUEST_LOG_PAGE_SIZE} more`}
            </button>
          </div>
        ) : null}
      </section>
    </div>
  );
}
