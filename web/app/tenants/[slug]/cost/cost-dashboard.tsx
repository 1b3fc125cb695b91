'use client';

import dynamic from 'next/dynamic';
import { useState } from 'react';
import { COST_WINDOW_OPTIONS, formatInteger, formatShare, formatUsd } from '../../../../lib/cost-format';
import { costChartTitle, rankModels, totalTokens } from '../../../../lib/cost-series';
import type { CostSummary, CostWindow } from '../../../../lib/operations';
import dashboard from '../../../../components/dashboard.module.css';
import styles from './cost.module.css';
import { useLiveCost } from './use-live-cost';

// recharts measures the DOM; render it in the browser only (its container is server-rendered below).
const CostChart = dynamic(() => import('./cost-chart').then((module) => module.CostChart), { ssr: false });

export function CostDashboard(props: {
  tenantId: string;
  wsUrl: string;
  initialWindow: CostWindow;
  initialSummary: CostSummary | null;
}) {
  const [window, setWindow] = useState<CostWindow>(props.initialWindow);
  const { summary, status, error } = useLiveCost({
    wsUrl: props.wsUrl,
    tenantId: props.tenantId,
    window,
    initialSummary: props.initialSummary,
  });
  const stale = summary !== null && summary.window !== window;
  const tokens = summary ? totalTokens(summary) : 0;
  const models = summary ? rankModels(summary.byModel) : [];

  return (
    <div>
      <div className={styles.toolbar}>
        <div className={dashboard.segmented} role="group" aria-label="Time window">
          {COST_WINDOW_OPTIONS.map((option) => (
            <button
              key={option.value}
              type="button"
              className={`${dashboard.segment} ${option.value === window ? dashboard.segmentActive : ''}`}
              aria-pressed={option.value === window}
              data-testid={option.testId}
              onClick={() => setWindow(option.value)}
            >
              {option.label}
            </button>
          ))}
        </div>
        <span
          className={`badge ${status === 'live' ? 'badgeSuccess' : 'badgeWarning'}`}
          role="status"
          aria-live="polite"
          title={status === 'live' ? 'Receiving updates as usage is recorded' : 'Connecting to the live feed; showing the last known figures'}
        >
          <span className={dashboard.liveDot} aria-hidden="true" />
          <span data-testid="live-status">{status}</span>
        </span>
      </div>

      {error ? (
        <div className={`alert ${dashboard.notice}`} role="alert" data-testid="live-error">
          Live updates failed: {error}
        </div>
      ) : null}

      <div className={`${styles.stats} ${stale ? dashboard.stale : ''}`} aria-busy={stale}>
        <div className={dashboard.stat}>
          <div className={dashboard.statLabel}>Cost</div>
          <div className={dashboard.statValue} data-testid="cost-total-usd">
            {summary ? formatUsd(summary.totalCostUsd) : '—'}
          </div>
          <div className={dashboard.statDetail}>
            {summary && summary.totalRequests > 0 ? `${formatUsd(summary.totalCostUsd / summary.totalRequests)} per request` : 'no requests yet'}
          </div>
        </div>
        <div className={dashboard.stat}>
          <div className={dashboard.statLabel}>Requests</div>
          <div className={dashboard.statValue} data-testid="cost-total-requests">
            {summary ? String(summary.totalRequests) : '—'}
          </div>
        </div>
        <div className={dashboard.stat}>
          <div className={dashboard.statLabel}>Tokens</div>
          <div className={dashboard.statValue} data-testid="cost-total-tokens">
            {summary ? formatInteger(tokens) : '—'}
          </div>
          <div className={dashboard.statDetail}>
            {summary ? (
              <>
                <span data-testid="cost-prompt-tokens">{formatInteger(summary.promptTokens)}</span> prompt ·{' '}
                <span data-testid="cost-completion-tokens">{formatInteger(summary.completionTokens)}</span> completion
              </>
            ) : null}
          </div>
        </div>
        <div className={dashboard.stat}>
          <div className={dashboard.statLabel}>Models</div>
          <div className={dashboard.statValue}>{summary ? String(summary.byModel.length) : '—'}</div>
        </div>
        <div className={`${dashboard.stat} ${styles.shadowStat}`}>
          <div className={dashboard.statLabel} title="Challengers answering copies of requests off the client's path: billed, not part of the cost above">
            Shadow cost
          </div>
          <div className={dashboard.statValue} data-testid="cost-shadow-usd">
            {summary ? formatUsd(summary.shadowCostUsd) : '—'}
          </div>
          <div className={dashboard.statDetail}>
            {summary ? (
              <>
                <span data-testid="cost-shadow-requests">{String(summary.shadowRequests)}</span> shadow requests, not in the cost
              </>
            ) : null}
          </div>
        </div>
      </div>

      <section className={`card ${dashboard.notice}`} aria-label="Cost over time">
        <div className="cardHeader">
          <h2>{costChartTitle(summary?.bucketSeconds)}</h2>
          <span className="muted">times in your local zone</span>
        </div>
        <div className={`${dashboard.chart} ${stale ? dashboard.stale : ''}`} data-testid="cost-chart">
          <CostChart series={summary?.series ?? []} bucketSeconds={summary?.bucketSeconds ?? 60} />
        </div>
      </section>

      <section className="card" aria-label="Cost by model">
        <div className="cardHeader">
          <h2>By model</h2>
        </div>
        <table className={`table ${stale ? dashboard.stale : ''}`}>
          <thead>
            <tr>
              <th>Model</th>
              <th className="numeric">Cost</th>
              <th className="numeric">Share</th>
              <th className="numeric">Requests</th>
              <th className="numeric">Prompt tokens</th>
              <th className="numeric">Completion tokens</th>
            </tr>
          </thead>
          <tbody>
            {models.map((model) => (
              <tr key={model.model} data-testid="cost-model-row">
                <td>
                  <code>{model.model}</code>
                </td>
                <td className="numeric">{formatUsd(model.costUsd)}</td>
                <td className="numeric">{formatShare(model.costUsd, summary?.totalCostUsd ?? 0)}</td>
                <td className="numeric">{String(model.requests)}</td>
                <td className="numeric">{formatInteger(model.promptTokens)}</td>
                <td className="numeric">{formatInteger(model.completionTokens)}</td>
              </tr>
            ))}
            {models.length === 0 ? (
              <tr>
                <td colSpan={6} className="empty">
                  No usage in this window.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </section>

      {summary && summary.shadowByExperiment.length > 0 ? (
        <section className={`card ${dashboard.notice}`} aria-label="Shadow cost by experiment">
          <div className="cardHeader">
            <h2>Shadow cost by experiment</h2>
            <span className="muted">billed, not part of the cost above</span>
          </div>
          <table className={`table ${stale ? dashboard.stale : ''}`}>
            <thead>
              <tr>
                <th>Experiment</th>
                <th>Challenger</th>
                <th className="numeric">Shadow cost</th>
                <th className="numeric">Requests</th>
                <th className="numeric">Prompt tokens</th>
                <th className="numeric">Completion tokens</th>
              </tr>
            </thead>
            <tbody>
              {summary.shadowByExperiment.map((row) => (
                <tr key={`${row.experimentId}/${row.model}`} data-testid="cost-shadow-row">
                  <td>
                    <code title={row.experimentId}>{row.experimentId.slice(0, 8)}</code>
                  </td>
                  <td>
                    <code>{row.model}</code>
                  </td>
                  <td className="numeric">{formatUsd(row.costUsd)}</td>
                  <td className="numeric">{String(row.requests)}</td>
                  <td className="numeric">{formatInteger(row.promptTokens)}</td>
                  <td className="numeric">{formatInteger(row.completionTokens)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </div>
  );
}
