'use client';

import { formatUsd } from '../../../../lib/cost-format';
import { formatMs } from '../../../../lib/request-log-format';
import type { RequestDetail as Detail } from '../../../../lib/request-log-operations';
import styles from './requests.module.css';

/** One request: ids, timings, tokens and cost, the routing decision with every leg, the policy decisions. */
export function RequestDetail({ detail }: { detail: Detail }) {
  return (
    <div className={styles.detail} data-testid="request-detail">
      <dl className={styles.facts}>
        <dt>Request id</dt>
        <dd>
          <code>{detail.requestId}</code>
        </dd>
        {detail.clientRequestId ? (
          <>
            <dt>Client x-request-id</dt>
            <dd>
              <code>{detail.clientRequestId}</code>
            </dd>
          </>
        ) : null}
        <dt>Trace id</dt>
        <dd>{detail.traceId ? <code>{detail.traceId}</code> : <span className="muted">not sampled</span>}</dd>
        <dt>Caller</dt>
        <dd>{detail.apiKey ? `API key ${detail.apiKey.name ?? ''} (${detail.apiKey.id})` : (detail.userId ?? '—')}</dd>
        <dt>Status</dt>
        <dd data-testid="detail-status">
          {detail.status}
          {detail.errorCode ? (
            <>
              {' '}
              · <code>{detail.errorCode}</code>
            </>
          ) : null}
          {detail.refused ? ' · refused before any provider was asked' : ''}
        </dd>
        <dt>Latency / TTFT</dt>
        <dd>
          {formatMs(detail.latencyMs)} / {formatMs(detail.ttftMs)}
        </dd>
        <dt>Tokens</dt>
        <dd data-testid="detail-tokens">
          {detail.promptTokens} prompt + {detail.completionTokens} completion
        </dd>
        <dt>Cost</dt>
        <dd data-testid="detail-cost">{formatUsd(detail.costUsd)}</dd>
      </dl>
      <div className={styles.detailColumns}>
        <section aria-label="Routing decision">
          <h3>Routing decision</h3>
          {detail.decision ? (
            <>
              <p data-testid="detail-decision">
                <code>{detail.decision.name}</code> ({detail.decision.configured ? `route, ${detail.decision.strategy}` : 'plain model'}) → served by{' '}
                <code>{detail.decision.candidate ?? 'none'}</code>
              </p>
              <table className={`table ${styles.legs}`}>
                <thead>
                  <tr>
                    <th>Leg</th>
                    <th>Outcome</th>
                    <th className="numeric">Prompt</th>
                    <th className="numeric">Completion</th>
                  </tr>
                </thead>
                <tbody>
                  {detail.decision.legs.map((leg, i) => (
                    <tr key={`${leg.upstream}-${i}`} data-testid="detail-leg">
                      <td>
                        <code>{leg.upstream}</code>
                      </td>
                      <td>
                        <span className={`badge ${leg.outcome === 'won' ? 'badgeSuccess' : leg.outcome === 'failed' ? 'badgeDanger' : 'badgeWarning'}`}>{leg.outcome}</span>
                      </td>
                      <td className="numeric">{leg.promptTokens}</td>
                      <td className="numeric">{leg.completionTokens}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : (
            <p className="muted">None: the request was refused before routing.</p>
          )}
        </section>
        <section aria-label="Policy decisions">
          <h3>Policy decisions</h3>
          {detail.policyDecisions.length > 0 ? (
            <ul className={styles.policies} data-testid="detail-policies">
              {detail.policyDecisions.map((decision, i) => (
                <li key={`${decision.action}-${i}`}>
                  <span className={`badge ${decision.decision === 'allow' ? 'badgeSuccess' : 'badgeDanger'}`}>{decision.decision}</span> <code>{decision.action}</code>
                  {decision.policies.length > 0 ? <> by {decision.policies.join(', ')}</> : ' (no policy named)'}
                  {decision.policyVersion !== null ? <span className="muted"> · policy v{decision.policyVersion}</span> : null}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No policy step ran (no policies, or the request was refused earlier).</p>
          )}
        </section>
      </div>
    </div>
  );
}
