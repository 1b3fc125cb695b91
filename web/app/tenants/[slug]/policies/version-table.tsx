import { formatTimestamp } from '../../../../lib/display';
import type { PolicyVersion } from '../../../../lib/policy-operations';
import styles from './policies.module.css';

/** Every version, newest first; superseded ones (active before) can be rolled back to in one step. */
export function VersionTable(props: { versions: PolicyVersion[]; pending: boolean; onSelect(version: PolicyVersion): void; onRollback(version: number): void }) {
  return (
    <section className="card">
      <div className="cardHeader">
        <h2>Versions</h2>
      </div>
      {props.versions.length === 0 ? (
        <p className="muted">No policy yet: every request is allowed.</p>
      ) : (
        <div className="tableWrap">
          <table className="table" data-testid="policy-versions">
            <thead>
              <tr>
                <th>Version</th>
                <th>Status</th>
                <th>Proposed by</th>
                <th>Approved by</th>
                <th>Activated</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {props.versions.map((version) => (
                <tr key={version.id} data-testid={`policy-version-${version.version}`}>
                  <td>
                    <button className="button buttonSecondary" type="button" onClick={() => props.onSelect(version)}>
                      v{version.version}
                    </button>
                  </td>
                  <td data-testid={`policy-status-${version.version}`}>{version.status.toLowerCase()}</td>
                  <td className={styles.mono}>{version.proposedBy}</td>
                  <td className={styles.mono}>{version.approvedBy ?? '—'}</td>
                  <td>{version.activatedAt ? formatTimestamp(version.activatedAt) : '—'}</td>
                  <td>
                    {version.status === 'SUPERSEDED' && version.activatedAt ? (
                      <button className="button buttonDanger" type="button" disabled={props.pending} onClick={() => props.onRollback(version.version)} data-testid={`policy-rollback-${version.version}`}>
                        Roll back to v{version.version}
                      </button>
                    ) : null}
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
