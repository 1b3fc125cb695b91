'use client';

import { formatTimestamp } from '../../../../lib/display';
import { Fragment, useEffect, useRef, useState, type FormEvent } from 'react';
import { checkEntryInclusion, type ProofAnchor, type ProofCheck, type ProofSource } from '../../../../lib/audit-proof-check';
import { joinHead, mergeNewestFirst } from '../../../../lib/audit-rows';
import { callConsoleApi } from '../../../../lib/browser-api';
import { auditCheckpointQuery, auditEntriesQuery, auditProofQuery, type AuditEntry, type AuditEntryFilter, type AuditEntryPage } from '../../../../lib/operations';
import { AUDIT_PAGE_SIZE } from './page-size';
import { ProofResult } from './proof-result';
import styles from './audit.module.css';
import { FALLBACK_POLL_MS, useAuditAppended } from './use-audit-appended';

const SUBJECT_KEY_PATTERN = /^[0-9a-f]{64}$/;

type Filter = Pick<AuditEntryFilter, 'actor' | 'action' | 'subjectKey'>;

const PAYLOAD_BADGE: Record<AuditEntry['payloadState'], string> = {
  AVAILABLE: 'badge badgeSuccess',
  EXPIRED: 'badge badgeWarning',
  ERASED: 'badge badgeDanger',
};

const proofSource: ProofSource = {
  async latestCheckpoint() {
    const result = await callConsoleApi(auditCheckpointQuery, {});
    return result.ok ? { ok: true, checkpoint: result.data.latestCheckpoint } : { ok: false, message: result.error.message };
  },
  async inclusionProof(seq, treeSize) {
    const result = await callConsoleApi(auditProofQuery, { seq, treeSize });
    return result.ok ? { ok: true, proof: result.data.inclusionProof } : { ok: false, message: result.error.message };
  },
};

function shortHash(value: string): string {
  return value.length > 14 ? `${value.slice(0, 8)}…${value.slice(-4)}` : value;
}


export function AuditExplorer(props: { tenantId: string; wsUrl: string; initialPage: AuditEntryPage | null }) {
  const { tenantId } = props;
  const { newestSeq, status, error: liveError } = useAuditAppended({ wsUrl: props.wsUrl, tenantId });
  const [filter, setFilter] = useState<Filter>({});
  const [draft, setDraft] = useState({ actor: '', action: '', subjectKey: '' });
  const [filterError, setFilterError] = useState<string | null>(null);
  const [rows, setRows] = useState<AuditEntry[]>(props.initialPage?.edges.map((edge) => edge.node) ?? []);
  const [endCursor, setEndCursor] = useState<string | null>(props.initialPage?.pageInfo.endCursor ?? null);
  const [hasNextPage, setHasNextPage] = useState(props.initialPage?.pageInfo.hasNextPage ?? false);
  const [loading, setLoading] = useState(props.initialPage === null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [checks, setChecks] = useState<Record<number, ProofCheck | 'running'>>({});
  // Every (re)load bumps this; answers to an older query (a filter since replaced) are dropped.
  const query = useRef(0);

  /** A page of older entries (after the cursor), or the first page again when replacing (a new filter). */
  async function load(options: { filter: Filter; after: string | null; replace: boolean }) {
    const ticket = options.replace ? ++query.current : query.current;
    setLoading(true);
    const result = await callConsoleApi(auditEntriesQuery, { filter: { ...options.filter, tenantId }, first: AUDIT_PAGE_SIZE, after: options.after });
    if (ticket !== query.current) return;
    setLoading(false);
    if (!result.ok) {
      setLoadError(result.error.message);
      return;
    }
    setLoadError(null);
    const page = result.data.auditEntries;
    setRows((previous) => mergeNewestFirst(options.replace ? [] : previous, page.edges.map((edge) => edge.node)));
    if (page.pageInfo.endCursor || options.replace) setEndCursor(page.pageInfo.endCursor);
    setHasNextPage(page.pageInfo.hasNextPage);
  }

  /** New entries: read the newest page and put it on top (restarting the list if more arrived than one page holds). */
  async function loadHead(current: Filter) {
    const ticket = query.current;
    const result = await callConsoleApi(auditEntriesQuery, { filter: { ...current, tenantId }, first: AUDIT_PAGE_SIZE, after: null });
    if (ticket !== query.current || !result.ok) return;
    const page = result.data.auditEntries;
    const shown = rowsRef.current;
    const joined = joinHead(shown, { nodes: page.edges.map((edge) => edge.node), hasNextPage: page.pageInfo.hasNextPage });
    setRows(joined.rows);
    if (joined.restart || shown.length === 0) {
      setEndCursor(page.pageInfo.endCursor);
      setHasNextPage(page.pageInfo.hasNextPage);
    }
  }

  useEffect(() => {
    if (props.initialPage === null) void load({ filter: {}, after: null, replace: true });
  }, []);

  // A newer entry than the top row exists: read the head. `tailReadFor` remembers the newest seq
  // already acted on: with a filter the newest entry may never show up, and that must not cause a read per render.
  const tailReadFor = useRef(-1);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  useEffect(() => {
    if (newestSeq === null || newestSeq <= tailReadFor.current || loading) return;
    tailReadFor.current = newestSeq;
    if (newestSeq <= (rows[0]?.seq ?? -1)) return;
    void loadHead(filter);
  }, [newestSeq, loading]);

  useEffect(() => {
    if (status === 'live') return;
    const timer = setInterval(() => void loadHead(filter), FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [status, filter]);

  function applyFilter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const subjectKey = draft.subjectKey.trim().toLowerCase();
    if (subjectKey && !SUBJECT_KEY_PATTERN.test(subjectKey)) {
      setFilterError('A subject key is the 64-hex-character HMAC shown in the table, not the raw subject id.');
      return;
    }
    setFilterError(null);
    const next: Filter = {};
    if (draft.actor.trim()) next.actor = draft.actor.trim();
    if (draft.action.trim()) next.action = draft.action.trim();
    if (subjectKey) next.subjectKey = subjectKey;
    setFilter(next);
    setChecks({});
    void load({ filter: next, after: null, replace: true });
  }

  async function verify(entry: AuditEntry, anchor: ProofAnchor) {
    setChecks((previous) => ({ ...previous, [entry.seq]: 'running' }));
    let check: ProofCheck;
    try {
      check = await checkEntryInclusion(proofSource, entry, anchor);
    } catch (caught) {
      check = { state: 'error', message: caught instanceof Error ? caught.message : 'Verification failed unexpectedly.' };
    }
    setChecks((previous) => ({ ...previous, [entry.seq]: check }));
  }

  const filtered = Object.keys(filter).length > 0;
  return (
    <div className="stack">
      <div className={styles.toolbar}>
        <form className={styles.filters} onSubmit={applyFilter} aria-label="Filter audit entries">
          <input className="input" placeholder="actor, e.g. user:…" aria-label="Actor" data-testid="audit-filter-actor" value={draft.actor} onChange={(event) => setDraft({ ...draft, actor: event.target.value })} />
          <input className="input" placeholder="action, e.g. api_key.create" aria-label="Action" data-testid="audit-filter-action" value={draft.action} onChange={(event) => setDraft({ ...draft, action: event.target.value })} />
          <input className={`input ${styles.subjectInput}`} placeholder="subject key (64 hex)" aria-label="Subject key" data-testid="audit-filter-subject" value={draft.subjectKey} onChange={(event) => setDraft({ ...draft, subjectKey: event.target.value })} />
          <button className="button" type="submit" data-testid="audit-filter-apply">
            Apply
          </button>
          {filtered ? (
            <button
              className="button buttonSecondary"
              type="button"
              onClick={() => {
                setDraft({ actor: '', action: '', subjectKey: '' });
                setFilter({});
                setChecks({});
                void load({ filter: {}, after: null, replace: true });
              }}
            >
              Clear
            </button>
          ) : null}
        </form>
        <span className={`badge ${status === 'live' ? 'badgeSuccess' : 'badgeWarning'}`} role="status" aria-live="polite">
          <span className={styles.liveDot} aria-hidden="true" />
          <span data-testid="live-status">{status}</span>
        </span>
      </div>
      {filterError ? (
        <div className="alert" role="alert" data-testid="audit-filter-error">
          {filterError}
        </div>
      ) : null}
      {liveError ? (
        <div className="alert" role="alert" data-testid="live-error">
          Live updates failed: {liveError}
        </div>
      ) : null}
      {loadError ? (
        <div className="alert" role="alert" data-testid="audit-load-error">
          Could not read the audit log: {loadError}
        </div>
      ) : null}
      <section className="card" aria-label="Audit entries">
        <div className="cardHeader">
          <h2>Entries</h2>
          <span className="muted" data-testid="audit-count">
            {rows.length} shown{hasNextPage ? ', more available' : ''}
          </span>
        </div>
        <div className="tableWrap">
          <table className={`table ${styles.table}`}>
            <thead>
              <tr>
                <th className="numeric">Seq</th>
                <th>Time</th>
                <th>Actor</th>
                <th>Action</th>
                <th>Subject key</th>
                <th>Class</th>
                <th>Payload</th>
                <th>
                  <span className="visuallyHidden">Proof</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((entry) => {
                const check = checks[entry.seq];
                return (
                  <Fragment key={entry.seq}>
                    <tr data-testid="audit-row" data-seq={entry.seq}>
                      <td className="numeric" data-testid="audit-seq">
                        {entry.seq}
                      </td>
                      <td className="muted">{formatTimestamp(entry.occurredAt)}</td>
                      <td className={styles.actor} title={entry.actor} data-testid="audit-actor">
                        {entry.actorApiKey ? (
                          <>
                            key <strong>{entry.actorApiKey.name}</strong>
                          </>
                        ) : (
                          entry.actor
                        )}
                      </td>
                      <td data-testid="audit-action">
                        <code>{entry.action}</code>
                      </td>
                      <td>{entry.subjectKey ? <code title={entry.subjectKey}>{shortHash(entry.subjectKey)}</code> : <span className="muted">—</span>}</td>
                      <td className="muted">{entry.dataClassification}</td>
                      <td>
                        <span className={PAYLOAD_BADGE[entry.payloadState]}>{entry.payloadState.toLowerCase()}</span>
                      </td>
                      <td className={styles.actionsCell}>
                        <button
                          className="button buttonSecondary"
                          type="button"
                          data-testid="verify-proof"
                          disabled={check === 'running'}
                          onClick={() => void verify(entry, 'checkpoint')}
                        >
                          {check === 'running' ? 'Verifying…' : 'Verify'}
                        </button>
                      </td>
                    </tr>
                    {check && check !== 'running' ? (
                      <tr className={styles.detailRow}>
                        <td colSpan={8}>
                          <ProofResult check={check} onVerifyAgainstHead={() => void verify(entry, 'current-head')} />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
          {rows.length === 0 && !loading ? <p className="empty">{filtered ? 'No entries match the filter.' : 'No audit entries yet.'}</p> : null}
          {rows.length === 0 && loading ? <p className="empty">Loading entries…</p> : null}
        </div>
        {hasNextPage ? (
          <div className={styles.more}>
            <button className="button buttonSecondary" type="button" data-testid="audit-load-more" disabled={loading} onClick={() => void load({ filter, after: endCursor, replace: false })}>
              {loading ? 'Loading…' : `Load ${AUDIT_PAGE_SIZE} more`}
            </button>
          </div>
        ) : null}
      </section>
    </div>
  );
}
