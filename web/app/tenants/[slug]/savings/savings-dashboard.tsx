'use client';

import dynamic from 'next/dynamic';
import { useEffect, useState } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import { formatInteger, formatUsd } from '../../../../lib/cost-format';
import { runCostOptimizerMutation, savingsQuery, savingsUpdatedSubscription, setOptimizerSettingsMutation, type SavingsBaseline, type SavingsReport } from '../../../../lib/savings-operations';
import { FALLBACK_POLL_MS, useLiveSubscription } from '../../../../lib/use-live-subscription';
import dashboard from '../../../../components/dashboard.module.css';
import styles from '../cost/cost.module.css';

// recharts measures the DOM; render it in the browser only.
const SavingsHistoryChart = dynamic(() => import('./savings-chart').then((module) => module.SavingsHistoryChart), { ssr: false });
const SavingsByRouteChart = dynamic(() => import('./savings-chart').then((module) => module.SavingsByRouteChart), { ssr: false });

const BASELINE_LABELS: Record<SavingsBaseline, string> = { CHAMPION: 'always the champion model', MOST_EXPENSIVE: 'always the most expensive candidate' };

export function SavingsDashboard(props: { tenantId: string; reportPath: string; wsUrl: string; initialReport: SavingsReport | null; initialMonth: string }) {
  const { tenantId } = props;
  const [report, setReport] = useState<SavingsReport | null>(props.initialReport);
  const [month, setMonth] = useState(props.initialMonth);
  const [message, setMessage] = useState<{ text: string; failed: boolean } | null>(null);
  const accept = (next: SavingsReport) => {
    if (next.tenantId === tenantId) setReport(next);
  };
  const { live, status, error } = useLiveSubscription({
    wsUrl: props.wsUrl,
    operation: savingsUpdatedSubscription,
    variables: { tenantId },
    variablesKey: tenantId,
    onData: (data) => accept(data.savingsUpdated),
  });
  useEffect(() => {
    if (live) return;
    const timer = setInterval(() => {
      void callConsoleApi(savingsQuery, { tenantId }).then((result) => result.ok && accept(result.data.savings));
    }, FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [live, tenantId]);

  const runNow = async () => {
    const result = await callConsoleApi(runCostOptimizerMutation, { tenantId });
    setMessage(result.ok ? { text: 'Optimizer run requested; figures update when it finishes.', failed: false } : { text: result.error.message, failed: true });
  };
  const saveSettings = async (settings: { baseline?: SavingsBaseline; gainSharePct?: number }) => {
    const result = await callConsoleApi(setOptimizerSettingsMutation, { tenantId, ...settings });
    if (result.ok) accept(result.data.setOptimizerSettings);
    setMessage(result.ok ? { text: 'Saved. The next optimizer run measures against it.', failed: false } : { text: result.error.message, failed: true });
  };

  const routes = report?.routes ?? [];
  const baseline = routes.reduce((sum, r) => sum + r.baselineCostUsd, 0);
  const actual = routes.reduce((sum, r) => sum + r.actualCostUsd, 0);
  const requests = routes.reduce((sum, r) => sum + r.requests, 0);
  const regret = routes.reduce((sum, r) => sum + r.regret, 0);
  const monthValid = /^\d{4}-(0[1-9]|1[0-2])$/.test(month);

  return (
    <div>
      <div className={styles.toolbar}>
        <button type="button" className="button" data-testid="run-optimizer" onClick={() => void runNow()}>
          Run optimizer now
        </button>
        <span className={`badge ${status === 'live' ? 'badgeSuccess' : 'badgeWarning'}`} role="status" aria-live="polite">
          <span className={dashboard.liveDot} aria-hidden="true" />
          <span data-testid="live-status">{status}</span>
        </span>
      </div>
      {error ? (
        <div className={`alert ${dashboard.notice}`} role="alert">
          Live updates failed: {error}
        </div>
      ) : null}
      {message ? (
        <div className={`${message.failed ? 'alert' : 'muted'} ${dashboard.notice}`} role="status" data-testid="savings-message">
          {message.text}
        </div>
      ) : null}

      <div className={styles.stats}>
        <div className={dashboard.stat}>
          <div className={dashboard.statLabel}>Savings</div>
          <div className={dashboard.statValue} data-testid="savings-total-usd">
            {report ? formatUsd(baseline - actual) : '—'}
          </div>
          <div className={dashboard.statDetail} data-testid="savings-total-pct">
            {baseline > 0 ? `${(((baseline - actual) / baseline) * 100).toFixed(1)} % of the baseline` : 'no optimizer run yet'}
          </div>
        </div>
        <div className={dashboard.stat}>
          <div className={dashboard.statLabel}>Cost vs baseline</div>
          <div className={dashboard.statValue}>{report ? formatUsd(actual) : '—'}</div>
          <div className={dashboard.statDetail}>baseline {formatUsd(baseline)}</div>
        </div>
        <div className={dashboard.stat}>
          <div className={dashboard.statLabel}>Requests (window)</div>
          <div className={dashboard.statValue} data-testid="savings-requests">
            {formatInteger(requests)}
          </div>
        </div>
        <div className={dashboard.stat}>
          <div className={dashboard.statLabel}>Regret</div>
          <div className={dashboard.statValue}>{regret.toFixed(2)}</div>
          <div className={dashboard.statDetail}>{requests > 0 ? `${(regret / requests).toFixed(4)} per request` : '—'}</div>
        </div>
      </div>

      <section className={`card ${dashboard.notice}`} aria-label="Savings per route over time">
        <div className="cardHeader">
          <h2>Savings per route over the optimizer&apos;s runs</h2>
        </div>
        <div className={dashboard.chart} data-testid="savings-history-chart">
          <SavingsHistoryChart history={report?.history ?? []} />
        </div>
      </section>

      <section className={`card ${dashboard.notice}`} aria-label="Cost against the baseline per route">
        <div className="cardHeader">
          <h2>Cost against the baseline, per route</h2>
        </div>
        <div className={dashboard.chart} data-testid="savings-route-chart">
          <SavingsByRouteChart routes={routes} />
        </div>
        <div className="tableWrap">
          <table className="table">
            <thead>
              <tr>
                <th>Route</th>
                <th>Baseline model</th>
                <th className="numeric">Requests</th>
                <th className="numeric">Cost</th>
                <th className="numeric">Baseline</th>
                <th className="numeric">Savings</th>
                <th className="numeric">Regret / request</th>
              </tr>
            </thead>
            <tbody>
              {routes.map((r) => (
                <tr key={r.route} data-testid={`savings-row-${r.route}`}>
                  <td className="mono">{r.route}</td>
                  <td className="mono">{r.baselineModel}</td>
                  <td className="numeric">{formatInteger(r.requests)}</td>
                  <td className="numeric">{formatUsd(r.actualCostUsd)}</td>
                  <td className="numeric">{formatUsd(r.baselineCostUsd)}</td>
                  <td className="numeric" data-testid={`savings-pct-${r.route}`}>
                    {r.savingsPct.toFixed(1)} %
                  </td>
                  <td className="numeric">{r.regretDelta.toFixed(4)}</td>
                </tr>
              ))}
              {routes.length === 0 ? (
                <tr>
                  <td colSpan={7} className="muted">
                    No optimizer run with route traffic yet.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card" aria-label="Baseline and gain share">
        <div className="cardHeader">
          <h2>Baseline and gain-share report</h2>
        </div>
        <div className={styles.reportBar}>
          <label className="label">
            Baseline
            <select
              className="input"
              data-testid="baseline-select"
              value={report?.baseline ?? 'CHAMPION'}
              onChange={(event) => void saveSettings({ baseline: event.target.value as SavingsBaseline })}
            >
              {(Object.keys(BASELINE_LABELS) as SavingsBaseline[]).map((value) => (
                <option key={value} value={value}>
                  {BASELINE_LABELS[value]}
                </option>
              ))}
            </select>
          </label>
          <span className="muted" data-testid="gain-share-pct">
            agreed share {report?.gainSharePct ?? 20} %
          </span>
          <label className="label">
            Month
            <input className="input" data-testid="report-month" value={month} onChange={(event) => setMonth(event.target.value)} size={8} />
          </label>
          <a
            className={`button buttonSecondary ${monthValid ? '' : 'disabled'}`}
            data-testid="download-csv"
            href={`${props.reportPath}?month=${encodeURIComponent(month)}&format=csv`}
            download
          >
            CSV
          </a>
          <a className="button buttonSecondary" data-testid="download-html" href={`${props.reportPath}?month=${encodeURIComponent(month)}&format=html`} target="_blank" rel="noreferrer">
            Printable report (PDF)
          </a>
        </div>
      </section>
    </div>
  );
}
