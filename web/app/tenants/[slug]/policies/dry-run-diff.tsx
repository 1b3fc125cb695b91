import { formatTimestamp } from '../../../../lib/display';
import type { PolicyDryRunResult } from '../../../../lib/policy-operations';
import styles from './policies.module.css';

function Effect({ value }: { value: 'ALLOW' | 'DENY' }) {
  return <span className={value === 'ALLOW' ? styles.allow : styles.deny}>{value.toLowerCase()}</span>;
}

/** The decisions that would change: each logged request with its before → after outcome and deciding policies. */
export function DryRunDiff({ result }: { result: PolicyDryRunResult }) {
  const against = result.activeVersion === null ? 'the default (allow all)' : `active version ${result.activeVersion}`;
  return (
    <section className="card" data-testid="dry-run">
      <div className="cardHeader">
        <h2>
          Dry run of v{result.version} against {against}
        </h2>
        <span className="muted" data-testid="dry-run-summary">
          {result.flips.length} of {result.replayed} decisions flip
        </span>
      </div>
      {result.flips.length === 0 ? (
        <p className="muted">No logged decision would change.</p>
      ) : (
        <div className="tableWrap">
          <table className="table" data-testid="dry-run-flips">
            <thead>
              <tr>
                <th>Logged</th>
                <th>Principal</th>
                <th>Action</th>
                <th>Resource</th>
                <th>Before</th>
                <th>After</th>
              </tr>
            </thead>
            <tbody>
              {result.flips.map((flip, index) => (
                <tr key={`${flip.loggedAt}-${index}`} data-testid="dry-run-flip">
                  <td className={styles.mono}>{formatTimestamp(flip.loggedAt)}</td>
                  <td className={styles.mono}>{flip.principalId}</td>
                  <td className={styles.mono}>{flip.action}</td>
                  <td className={styles.mono}>
                    {flip.resourceType}::&quot;{flip.resourceId}&quot;
                  </td>
                  <td>
                    <Effect value={flip.before} /> <span className="muted">{flip.beforePolicies.join(', ')}</span>
                  </td>
                  <td>
                    <Effect value={flip.after} /> <span className="muted">{flip.afterPolicies.join(', ') || 'no permit'}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
