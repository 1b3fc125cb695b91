'use client';

import { useState } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import { formatUsd } from '../../../../lib/cost-format';
import { formatMs, formatPercent } from '../../../../lib/request-log-format';
import { performanceQuery, STATS_WINDOWS, type LatencyGroup, type SpendGroup, type StatsWindow } from '../../../../lib/request-log-operations';
import { ErrorRateChart, LatencyChart, SpendBars } from './latency-charts';
import dashboard from '../../../../components/dashboard.module.css';
import styles from './performance.module.css';

const WINDOW_LABEL = { LAST_HOUR: '1 h', LAST_24_HOURS: '24 h', LAST_7_DAYS: '7 d' } as const;

function groupName(key: string): string {
  return key === '' ? '(refused before naming one)' : key;
}

interface Data {
  byRoute: { groups: LatencyGroup[] };
  byModel: { groups: LatencyGroup[] };
  spendByKey: { groups: SpendGroup[] };
  spendByUser: { groups: SpendGroup[] };
  spendByRoute: { groups: SpendGroup[] };
}

export function PerformanceDashboard(props: { tenantId: string; initialWindow: StatsWindow; initial: Data | null }) {
  const [window, setWindow] = useState<StatsWindow>(props.initialWindow);
  const [data, setData] = useState<Data | null>(props.initial);
  const [by, setBy] = useState<'route' | 'model'>('route');
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  async function load(next: StatsWindow) {
    setWindow(next);
    setLoading(true);
    const result = await callConsoleApi(performanceQuery, { tenantId: props.tenantId, window: next });
    setLoading(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setError(null);
    setData(result.data);
  }

  const groups = data ? (by === 'route' ? data.byRoute.groups : data.byModel.groups) : [];
  const current = groups.find((group) => group.key === selected) ?? groups[0];
  const long = window !== 'LAST_HOUR';

  return (
    <div className="stack">
      <div className={styles.toolbar}>
        <div className={dashboard.segmented} role="group" aria-label="Time window">
          {STATS_WINDOWS.map((w) => (
            <button key={w} type="button" className={`${dashboard.segment} ${w === window ? dashboard.segmentActive : ''}`} aria-pressed={w === window} onClick={() => void load(w)} data-testid={`window-${w}`}>
              {WINDOW_LABEL[w]}
            </button>
          ))}
        </div>
        <div className={dashboard.segmented} role="group" aria-label="Group by">
          {(['route', 'model'] as const).map((b) => (
            <button
              key={b}
              type="button"
              className={`${dashboard.segment} ${b === by ? dashboard.segmentActive : ''}`}
              aria-pressed={b === by}
              onClick={() => {
                setBy(b);
                setSelected(null);
              }}
              data-testid={`group-by-${b}`}
            >
              per {b}
            </button>
          ))}
        </div>
        {loading ? <span className="muted">Loading…</span> : null}
      </div>
      {error ? (
        <div className="alert" role="alert" data-testid="performance-error">
          Could not read performance: {error}
        </div>
      ) : null}

      <section className="card" aria-label={`Latency and errors per ${by}`}>
        <div className="cardHeader">
          <h2>Latency and errors per {by}</h2>
          <span className="muted">{groups.length === 0 ? 'no requests in this window' : 'click a row to chart it'}</span>
        </div>
        <div className="tableWrap">
          <table className="table" data-testid="performance-table">
            <thead>
              <tr>
                <th>{by === 'route' ? 'Route' : 'Model'}</th>
                <th className="numeric">Requests</th>
                <th className="numeric">p50</th>
                <th className="numeric">p95</th>
                <th className="numeric">p99</th>
                <th className="numeric">Errors</th>
                <th className="numeric">Refused</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((group) => (
                <tr
                  key={group.key}
                  className={`${styles.row} ${group.key === current?.key ? styles.rowSelected : ''}`}
                  onClick={() => setSelected(group.key)}
                  data-testid="performance-row"
                  data-key={group.key}
                  tabIndex={0}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter') setSelected(group.key);
                  }}
                >
                  <td>
                    <code>{groupName(group.key)}</code>
                  </td>
                  <td className="numeric">{group.requests}</td>
                  <td className="numeric">{formatMs(group.p50Ms)}</td>
                  <td className="numeric">{formatMs(group.p95Ms)}</td>
                  <td className="numeric">{formatMs(group.p99Ms)}</td>
                  <td className="numeric">{formatPercent(group.errorRate)}</td>
                  <td className="numeric" data-testid="performance-refused">
                    {group.refused}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {current ? (
          <div className={styles.charts}>
            <figure className={styles.chart} aria-label={`Latency of ${groupName(current.key)}`}>
              <figcaption>
                Latency · <code>{groupName(current.key)}</code>
              </figcaption>
              <div className={styles.chartBody} data-testid="latency-chart">
                <LatencyChart group={current} long={long} />
              </div>
            </figure>
            <figure className={styles.chart} aria-label="Error rate">
              <figcaption>Failed or refused, share of requests</figcaption>
              <div className={styles.chartBody} data-testid="error-rate-chart">
                <ErrorRateChart groups={groups} long={long} />
              </div>
            </figure>
          </div>
        ) : null}
      </section>

      <section className="card" aria-label="Spend">
        <div className="cardHeader">
          <h2>Spend</h2>
          <span className="muted">by API key, user and route</span>
        </div>
        <div className={styles.spendGrid}>
          <SpendPanel title="By API key" testId="spend-by-key" groups={data?.spendByKey.groups ?? []} labelOf={(g) => (g.apiKey ? (g.apiKey.name ?? g.apiKey.id.slice(0, 8)) : 'people (no key)')} />
          <SpendPanel title="By user" testId="spend-by-user" groups={data?.spendByUser.groups ?? []} labelOf={(g) => g.key ?? 'API keys (no user)'} />
          <SpendPanel title="By route" testId="spend-by-route" groups={data?.spendByRoute.groups ?? []} labelOf={(g) => g.key ?? '(none)'} />
        </div>
      </section>
    </div>
  );
}

function SpendPanel(props: { title: string; testId: string; groups: SpendGroup[]; labelOf: (group: SpendGroup) => string }) {
  const total = props.groups.reduce((sum, group) => sum + group.costUsd, 0);
  return (
    <figure className={styles.chart} data-testid={props.testId}>
      <figcaption>
        {props.title} · {formatUsd(total)}
      </figcaption>
      {props.groups.length === 0 ? (
        <p className="empty">No spend in this window.</p>
      ) : (
        <div className={styles.spendBody}>
          <SpendBars groups={props.groups} labelOf={props.labelOf} />
        </div>
      )}
    </figure>
  );
}
