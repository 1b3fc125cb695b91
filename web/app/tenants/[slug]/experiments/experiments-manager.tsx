'use client';

import dynamic from 'next/dynamic';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import { formatUsd } from '../../../../lib/cost-format';
import { formatTimestamp } from '../../../../lib/display';
import {
  pinRouteMutation,
  promoteExperimentMutation,
  revertPromotionMutation,
  rollbackRouteMutation,
  startExperimentMutation,
  stopExperimentMutation,
  type ConsoleExperiment,
  type ExperimentRoute,
} from '../../../../lib/experiment-operations';
import styles from './experiments.module.css';
import { useExperimentShadowCost } from './use-experiment-shadow-cost';
import { useLiveExperiments } from './use-live-experiments';

// recharts measures the DOM: browser only.
const IntervalChart = dynamic(() => import('./interval-chart').then((module) => module.IntervalChart), { ssr: false });

const METRIC_UNITS: Record<string, string> = { COST: 'µUSD per request, lower is better', LATENCY: 'ms, lower is better', QUALITY: 'score 0..1, higher is better' };

type Result = { ok: true } | { ok: false; error: { code: string; message: string } };

/** Start, watch, promote, stop and revert experiments; roll a route back or pin a version. */
export function ExperimentsManager(props: { tenantId: string; wsUrl: string; routes: ExperimentRoute[]; initialExperiments: ConsoleExperiment[] }) {
  const { tenantId } = props;
  const router = useRouter();
  const { experiments, history, status, refresh } = useLiveExperiments({ wsUrl: props.wsUrl, tenantId, initial: props.initialExperiments });
  const shadowCost = useExperimentShadowCost(tenantId, experiments);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [routeName, setRouteName] = useState(props.routes[0]?.name ?? '');
  const [challenger, setChallenger] = useState('mock-mini');
  const [mode, setMode] = useState<'SHADOW' | 'SPLIT'>('SHADOW');
  const [percent, setPercent] = useState(10);
  const [metric, setMetric] = useState<'COST' | 'LATENCY' | 'QUALITY'>('COST');
  const [autoPromote, setAutoPromote] = useState(true);
  const [region, setRegion] = useState('');
  const [contextWindow, setContextWindow] = useState('');
  const [judge, setJudge] = useState('');

  async function run(action: () => Promise<Result>) {
    setPending(true);
    setError(null);
    const result = await action();
    setPending(false);
    if (!result.ok) setError(result.error.message);
    await refresh();
    router.refresh();
  }

  function start(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void run(() =>
      callConsoleApi(startExperimentMutation, {
        input: {
          tenantId,
          routeName,
          challengerModel: challenger.trim(),
          mode,
          metric,
          autoPromote,
          ...(mode === 'SPLIT' ? { percent } : {}),
          ...challengerMetadataOf(region, contextWindow),
          ...(judge.trim() ? { judgeModel: judge.trim() } : {}),
        },
      }),
    );
  }

  const ref = (id: string) => ({ input: { tenantId, id } });

  return (
    <div className="stack">
      {error ? (
        <div className="alert" role="alert" data-testid="experiments-error">
          {error}
        </div>
      ) : null}
      <section className="card" aria-label="Start an experiment">
        <div className="cardHeader">
          <h2>Start an experiment</h2>
          <span className={`badge ${status === 'live' ? 'badgeSuccess' : 'badgeWarning'}`} data-testid="experiments-live-status">
            {status}
          </span>
        </div>
        {props.routes.length === 0 ? (
          <p className="muted">Create a route first: experiments run on a route.</p>
        ) : (
          <form className={styles.form} onSubmit={start}>
            <label className="label">
              Route
              <select className="input" value={routeName} onChange={(e) => setRouteName(e.target.value)} data-testid="experiment-route">
                {props.routes.map((route) => (
                  <option key={route.name} value={route.name}>
                    {route.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="label">
              Challenger model
              <input className="input" value={challenger} onChange={(e) => setChallenger(e.target.value)} data-testid="experiment-challenger" />
            </label>
            <label className="label">
              Mode
              <select className="input" value={mode} onChange={(e) => setMode(e.target.value as 'SHADOW' | 'SPLIT')} data-testid="experiment-mode">
                <option value="SHADOW">shadow</option>
                <option value="SPLIT">split</option>
              </select>
            </label>
            {mode === 'SPLIT' ? (
              <label className="label">
                Challenger share (%)
                <input className="input" type="number" min={0} max={100} value={percent} onChange={(e) => setPercent(Number(e.target.value))} data-testid="experiment-percent" />
              </label>
            ) : null}
            <label className="label">
              Decide on
              <select className="input" value={metric} onChange={(e) => setMetric(e.target.value as 'COST' | 'LATENCY' | 'QUALITY')} data-testid="experiment-metric">
                <option value="COST">cost per request</option>
                <option value="LATENCY">latency</option>
                <option value="QUALITY">quality (feedback, judge)</option>
              </select>
            </label>
            <label className="label">
              Challenger region (optional)
              <input className="input" value={region} onChange={(e) => setRegion(e.target.value)} placeholder="any" data-testid="experiment-region" />
            </label>
            <label className="label">
              Context window (optional)
              <input className="input" type="number" min={1} value={contextWindow} onChange={(e) => setContextWindow(e.target.value)} placeholder="tokens" data-testid="experiment-context-window" />
            </label>
            <label className="label" title="A model that scores each arm's answers from 0 to 1 into its quality (billed as shadow cost), e.g. mock-judge">
              Judge model (optional)
              <input className="input" value={judge} onChange={(e) => setJudge(e.target.value)} placeholder="none" data-testid="experiment-judge" />
            </label>
            <label style={{ display: 'flex', gap: 6, alignItems: 'center', fontSize: 13, paddingBottom: 8 }}>
              <input type="checkbox" checked={autoPromote} onChange={(e) => setAutoPromote(e.target.checked)} data-testid="experiment-auto-promote" /> promote automatically
            </label>
            <button className="button" type="submit" disabled={pending} data-testid="experiment-start">
              Start
            </button>
          </form>
        )}
      </section>

      {experiments.length === 0 ? (
        <p className="muted" data-testid="experiments-empty">
          No experiments yet.
        </p>
      ) : null}
      {experiments.map((experiment) => (
        <section key={experiment.id} className="card" aria-label={`Experiment on ${experiment.routeName}`} data-testid="experiment-card">
          <div className="cardHeader">
            <h2>
              {experiment.routeName}: {experiment.challengerModel} ({experiment.mode.toLowerCase()}
              {experiment.mode === 'SPLIT' ? ` ${experiment.percent}%` : ''})
            </h2>
            <span className={`badge ${experiment.status === 'RUNNING' ? 'badgeWarning' : experiment.status === 'PROMOTED' ? 'badgeSuccess' : ''}`} data-testid="experiment-status">
              {experiment.status.toLowerCase()}
            </span>
          </div>
          {experiment.challengerMetadata ? (
            <p className="muted" data-testid="experiment-challenger-metadata">
              challenger {describeChallengerMetadata(experiment.challengerMetadata)}
            </p>
          ) : null}
          {experiment.judge ? (
            <p className="muted" data-testid="experiment-judge-model">
              judged by <strong>{experiment.judge.model}</strong>
              {experiment.judge.provider ? ` (${experiment.judge.provider})` : ''}: its scores of each arm&apos;s answers are the arms&apos; quality
            </p>
          ) : null}
          {experiment.statusReason ? (
            <p className="muted" data-testid="experiment-reason">
              {experiment.statusReason}
            </p>
          ) : null}
          <div className={styles.stats}>
            <span>
              metric <strong>{experiment.metric.toLowerCase()}</strong> ({METRIC_UNITS[experiment.metric] ?? ''})
            </span>
            <span>
              samples <strong data-testid="experiment-samples">{experiment.statistics.challengerSamples}</strong> challenger · <strong>{experiment.statistics.championSamples}</strong> champion
            </span>
            <span>
              challenger − champion <strong data-testid="experiment-estimate">{experiment.statistics.estimate.toPrecision(4)}</strong>
              {experiment.statistics.lower !== null && experiment.statistics.upper !== null
                ? ` [${experiment.statistics.lower.toPrecision(3)}, ${experiment.statistics.upper.toPrecision(3)}]`
                : ' (collecting the minimum sample)'}
            </span>
            <span>
              always-valid p <strong>{experiment.statistics.pValue.toPrecision(3)}</strong>
            </span>
            <span>
              decision <strong data-testid="experiment-decision">{experiment.statistics.decision}</strong>
            </span>
            {/* Shadow copies are billed to the tenant but not part of its client cost (the cost page shows both apart). */}
            <span title="Tokens of the challenger's shadow copies in the last 24 h: billed, shown apart from client cost">
              shadow cost (24 h){' '}
              <strong data-testid="experiment-shadow-cost">{shadowCost ? formatUsd(shadowCost.get(experiment.id)?.costUsd ?? 0) : '—'}</strong>
              {shadowCost ? (
                <>
                  {' '}
                  over <span data-testid="experiment-shadow-requests">{shadowCost.get(experiment.id)?.requests ?? 0}</span> copies
                </>
              ) : null}
            </span>
          </div>
          <div className="muted">Always-valid 95% confidence sequence of challenger − champion, per sample; the challenger wins when the band leaves 0 on the better side.</div>
          <div className={styles.chart} data-testid="experiment-chart">
            <IntervalChart points={history[experiment.id] ?? []} />
          </div>
          <div className={styles.actions}>
            {experiment.status === 'RUNNING' ? (
              <>
                <button className="button" disabled={pending} onClick={() => void run(() => callConsoleApi(promoteExperimentMutation, ref(experiment.id)))} data-testid="experiment-promote">
                  Promote
                </button>
                <button className="button buttonSecondary" disabled={pending} onClick={() => void run(() => callConsoleApi(stopExperimentMutation, ref(experiment.id)))} data-testid="experiment-stop">
                  Stop
                </button>
              </>
            ) : null}
            {experiment.status === 'PROMOTED' ? (
              <button className="button buttonSecondary" disabled={pending} onClick={() => void run(() => callConsoleApi(revertPromotionMutation, ref(experiment.id)))} data-testid="experiment-revert">
                Revert promotion
              </button>
            ) : null}
          </div>
        </section>
      ))}

      {props.routes.map((route) => (
        <section key={route.name} className="card" aria-label={`Versions of ${route.name}`} data-testid="route-versions">
          <div className="cardHeader">
            <h2>Versions of {route.name}</h2>
            <span className="muted">
              serving v{route.pinnedVersion ?? route.version}
              {route.pinnedVersion !== null ? ' (pinned)' : ''} · {route.candidates.map((c) => c.model).join(', ')}
            </span>
          </div>
          <div className="tableWrap">
            <table className={styles.versions}>
              <thead>
                <tr>
                  <th>version</th>
                  <th>why</th>
                  <th>by</th>
                  <th>when</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {route.versions.map((version) => (
                  <tr key={version.version}>
                    <td>v{version.version}</td>
                    <td>{version.reason}</td>
                    <td>{version.createdBy}</td>
                    <td>{formatTimestamp(version.createdAt)}</td>
                    <td className={styles.actions}>
                      {version.version !== route.version && route.pinnedVersion === null ? (
                        <button
                          className="button buttonSecondary"
                          disabled={pending}
                          data-testid={`rollback-${route.name}-${version.version}`}
                          onClick={() => void run(() => callConsoleApi(rollbackRouteMutation, { input: { tenantId, name: route.name, toVersion: version.version, expectedVersion: route.version } }))}
                        >
                          Roll back to this
                        </button>
                      ) : null}
                      <button
                        className="button buttonSecondary"
                        disabled={pending}
                        data-testid={`pin-${route.name}-${version.version}`}
                        onClick={() =>
                          void run(() => callConsoleApi(pinRouteMutation, { input: { tenantId, name: route.name, version: route.pinnedVersion === version.version ? null : version.version } }))
                        }
                      >
                        {route.pinnedVersion === version.version ? 'Unpin' : 'Pin'}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </div>
  );
}

/** The optional challenger details the form collected, as the API takes them (empty fields left out). */
function challengerMetadataOf(region: string, contextWindow: string): { challengerMetadata?: { region?: string; contextWindow?: number } } {
  const metadata = { ...(region.trim() ? { region: region.trim() } : {}), ...(contextWindow.trim() ? { contextWindow: Number(contextWindow) } : {}) };
  return Object.keys(metadata).length > 0 ? { challengerMetadata: metadata } : {};
}

function describeChallengerMetadata(metadata: NonNullable<ConsoleExperiment['challengerMetadata']>): string {
  const parts = [
    metadata.region ? `region ${metadata.region}` : null,
    metadata.contextWindow ? `context ${metadata.contextWindow.toLocaleString('en-US')} tokens` : null,
    metadata.inputPer1kUsd !== null ? `$${metadata.inputPer1kUsd}/1k in` : null,
    metadata.outputPer1kUsd !== null ? `$${metadata.outputPer1kUsd}/1k out` : null,
  ];
  return parts.filter((part) => part !== null).join(' · ');
}
