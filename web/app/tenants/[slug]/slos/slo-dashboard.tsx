'use client';

import dynamic from 'next/dynamic';
import { useState, type FormEvent } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import { formatTimestamp } from '../../../../lib/display';
import { budgetBarPercent, describeObjective, formatBudget, formatBurn, formatSli } from '../../../../lib/slo-format';
import { deleteSloMutation, putSloMutation, SLO_KINDS, type Slo, type SloAlertState, type SloKind, type SloOverview } from '../../../../lib/slo-operations';
import dashboard from '../../../../components/dashboard.module.css';
import styles from './slos.module.css';
import { useLiveSlos } from './use-live-slos';

// recharts measures the DOM; render it in the browser only.
const BurnChart = dynamic(() => import('./burn-chart').then((module) => module.BurnChart), { ssr: false });

const STATE_BADGE: Record<SloAlertState, string> = { OK: 'badgeSuccess', TICKET: 'badgeWarning', PAGE: 'badgeDanger' };

function BurnCell({ slo, name }: { slo: Slo; name: string }) {
  const w = slo.status.windows.find((window) => window.name === name);
  if (!w) return <td className="numeric">—</td>;
  return (
    <td className="numeric" title={`alert when both exceed ${formatBurn(w.threshold)}`}>
      <span style={{ color: w.firing ? 'var(--danger)' : undefined, fontWeight: w.firing ? 600 : undefined }}>
        {formatBurn(w.longBurnRate)} / {formatBurn(w.shortBurnRate)}
      </span>
    </td>
  );
}

export function SloDashboard(props: { tenantId: string; wsUrl: string; initial: SloOverview | null }) {
  const { overview, status, error, refresh } = useLiveSlos({ wsUrl: props.wsUrl, tenantId: props.tenantId, initial: props.initial });
  const slos = overview?.slos ?? [];
  const transitions = overview?.transitions ?? [];
  const paging = slos.filter((slo) => slo.status.alertState === 'PAGE').length;
  const throttled = slos.filter((slo) => slo.status.throttled).length;
  const lowest = slos.reduce<number | null>((low, slo) => (low === null || slo.status.errorBudgetRemaining < low ? slo.status.errorBudgetRemaining : low), null);
  const routeOf = new Map(slos.map((slo) => [slo.id, `${slo.route} · ${slo.kind.toLowerCase()}`]));

  return (
    <div>
      <div className={styles.toolbar}>
        <span className="muted">Burn rates over the 1 h / 5 m (page) and 24 h / 1 h (ticket) windows, from counters every replica shares.</span>
        <span className={`badge ${status === 'live' ? 'badgeSuccess' : 'badgeWarning'}`} role="status" aria-live="polite">
          <span className={dashboard.liveDot} aria-hidden="true" />
          <span data-testid="live-status">{status}</span>
        </span>
      </div>
      {error ? (
        <div className={`alert ${dashboard.notice}`} role="alert" data-testid="live-error">
          Live updates failed: {error}
        </div>
      ) : null}

      <div className={styles.stats}>
        <div className={dashboard.stat}>
          <div className={dashboard.statLabel}>SLOs</div>
          <div className={dashboard.statValue} data-testid="slo-count">
            {slos.length}
          </div>
        </div>
        <div className={dashboard.stat}>
          <div className={dashboard.statLabel}>Paging</div>
          <div className={dashboard.statValue} data-testid="slo-paging" style={{ color: paging > 0 ? 'var(--danger)' : undefined }}>
            {paging}
          </div>
        </div>
        <div className={dashboard.stat}>
          <div className={dashboard.statLabel}>Routes throttled</div>
          <div className={dashboard.statValue} data-testid="slo-throttled">
            {throttled}
          </div>
          <div className={dashboard.statDetail}>batch requests paused while a page lasts</div>
        </div>
        <div className={dashboard.stat}>
          <div className={dashboard.statLabel}>Lowest budget left</div>
          <div className={dashboard.statValue}>{lowest === null ? '—' : formatBudget(lowest)}</div>
        </div>
      </div>

      {slos.length > 0 ? (
        <section className="card" aria-label="Burn rates">
          <div className="cardHeader">
            <h2>Burn rate against the alert threshold</h2>
          </div>
          <div className={dashboard.chart} data-testid="burn-chart">
            <BurnChart slos={slos} />
          </div>
        </section>
      ) : null}

      <section className="card" aria-label="SLOs" style={{ marginTop: 16 }}>
        <div className="cardHeader">
          <h2>Objectives</h2>
        </div>
        {slos.length === 0 ? (
          <p className="muted" data-testid="slo-empty">
            No SLOs yet. Add one below: the dashboard fills in as requests arrive.
          </p>
        ) : (
          <div className="tableWrap">
            <table className="table" data-testid="slo-table">
              <thead>
                <tr>
                  <th>Route</th>
                  <th>Objective</th>
                  <th className="numeric">SLI</th>
                  <th>Error budget left</th>
                  <th className="numeric" title="1 h / 5 m windows; pages above 14.4× on both">Fast burn 1h / 5m</th>
                  <th className="numeric" title="24 h / 1 h windows; a ticket above 3× on both">Slow burn 24h / 1h</th>
                  <th>State</th>
                </tr>
              </thead>
              <tbody>
                {slos.map((slo) => (
                  <tr key={slo.id} data-testid="slo-row" data-route={slo.route} data-kind={slo.kind}>
                    <td>
                      <span className="mono">{slo.route}</span>
                      <div className="muted">
                        {slo.kind.toLowerCase()} ·{' '}
                        <button
                          type="button"
                          className={styles.linkButton}
                          aria-label={`Delete the ${slo.kind.toLowerCase()} SLO of ${slo.route}`}
                          onClick={() => {
                            if (!window.confirm(`Delete the ${slo.kind.toLowerCase()} SLO of ${slo.route}?`)) return;
                            void callConsoleApi(deleteSloMutation, { tenantId: props.tenantId, id: slo.id }).then(() => refresh());
                          }}
                        >
                          delete
                        </button>
                      </div>
                    </td>
                    <td>{describeObjective(slo)}</td>
                    <td className="numeric" data-testid="slo-sli">
                      {formatSli(slo.status.sli)}
                      <div className="muted">{slo.status.totalRequests} requests</div>
                    </td>
                    <td data-testid="slo-budget">
                      {formatBudget(slo.status.errorBudgetRemaining)}
                      <div className={styles.budgetBar} aria-hidden="true">
                        <div
                          className={`${styles.budgetFill} ${slo.status.errorBudgetRemaining < 0.25 ? styles.budgetLow : ''}`}
                          style={{ width: `${budgetBarPercent(slo.status.errorBudgetRemaining)}%` }}
                        />
                      </div>
                    </td>
                    <BurnCell slo={slo} name="fast" />
                    <BurnCell slo={slo} name="slow" />
                    <td>
                      <span className={`badge ${STATE_BADGE[slo.status.alertState]}`} data-testid="slo-state">
                        {slo.status.alertState.toLowerCase()}
                      </span>
                      {slo.status.throttled ? (
                        <div>
                          <span className="badge badgeDanger" data-testid="slo-throttled-badge" title="batch requests of this route are refused while the page lasts">
                            throttled
                          </span>
                        </div>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <div className={styles.grid}>
        <section className="card" aria-label="Alerts and auto-throttle">
          <div className="cardHeader">
            <h2>Alerts and auto-throttle actions</h2>
          </div>
          {transitions.length === 0 ? (
            <p className="muted">No alert has fired.</p>
          ) : (
            <div className="tableWrap">
              <table className="table" data-testid="slo-transitions">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>SLO</th>
                    <th>State</th>
                    <th>Auto-throttle</th>
                    <th className="numeric">Burn 1h / 24h</th>
                  </tr>
                </thead>
                <tbody>
                  {transitions.map((t) => (
                    <tr key={t.id} data-testid="slo-transition">
                      <td>{formatTimestamp(t.occurredAt)}</td>
                      <td className="mono">{routeOf.get(t.sloId) ?? t.route}</td>
                      <td>
                        {t.previous.toLowerCase()} → <span className={`badge ${STATE_BADGE[t.state]}`}>{t.state.toLowerCase()}</span>
                      </td>
                      <td data-testid="slo-transition-throttle">{t.throttle === 'ENGAGE' ? 'batch paused' : t.throttle === 'RELEASE' ? 'batch resumed' : '—'}</td>
                      <td className="numeric">
                        {formatBurn(t.fastBurnRate)} / {formatBurn(t.slowBurnRate)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section className="card" aria-label="Add SLO">
          <div className="cardHeader">
            <h2>Add an SLO</h2>
          </div>
          <AddSloForm tenantId={props.tenantId} onSaved={refresh} />
        </section>
      </div>
    </div>
  );
}

function AddSloForm({ tenantId, onSaved }: { tenantId: string; onSaved: () => Promise<void> }) {
  const [route, setRoute] = useState('');
  const [kind, setKind] = useState<SloKind>('AVAILABILITY');
  const [target, setTarget] = useState('99.5');
  const [thresholdMs, setThresholdMs] = useState('800');
  const [windowDays, setWindowDays] = useState('30');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    const share = Number(target);
    const input = {
      tenantId,
      route: route.trim(),
      kind,
      windowDays: Number(windowDays),
      ...(kind === 'LATENCY' ? { percentile: share, thresholdMs: Number(thresholdMs) } : { objective: share / 100 }),
      ...(kind === 'QUALITY' ? { maxRegret: 0.1 } : {}),
      ...(kind === 'COST' ? { minSavingsPct: 10 } : {}),
    };
    const result = await callConsoleApi(putSloMutation, { input });
    setPending(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setRoute('');
    await onSaved();
  };

  return (
    <form className="stack" style={{ gap: 10 }} onSubmit={(event) => void submit(event)} noValidate data-testid="slo-form">
      <label className="label">
        Route or model
        <input className="input" value={route} onChange={(e) => setRoute(e.target.value)} placeholder="auto" data-testid="slo-route" required />
      </label>
      <div className={styles.formRow}>
        <label className="label">
          Class
          <select className="input" value={kind} onChange={(e) => setKind(e.target.value as SloKind)} data-testid="slo-kind">
            {SLO_KINDS.map((k) => (
              <option key={k} value={k}>
                {k.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <label className="label">
          {kind === 'LATENCY' ? 'Percentile' : 'Objective (%)'}
          <input className="input" inputMode="decimal" value={target} onChange={(e) => setTarget(e.target.value)} data-testid="slo-target" />
        </label>
        {kind === 'LATENCY' ? (
          <label className="label">
            Threshold (ms)
            <input className="input" inputMode="numeric" value={thresholdMs} onChange={(e) => setThresholdMs(e.target.value)} data-testid="slo-threshold" />
          </label>
        ) : null}
        <label className="label">
          Window (days)
          <input className="input" inputMode="numeric" value={windowDays} onChange={(e) => setWindowDays(e.target.value)} data-testid="slo-window" />
        </label>
      </div>
      {error ? (
        <div className="alert" role="alert" data-testid="slo-form-error">
          {error}
        </div>
      ) : null}
      <div>
        <button className="button" type="submit" disabled={pending || route.trim() === ''} data-testid="slo-save">
          {pending ? 'Saving…' : 'Save SLO'}
        </button>
      </div>
    </form>
  );
}
