'use client';

import { formatTimestamp } from '../../../../lib/display';
import type { ProofCheck } from '../../../../lib/audit-proof-check';
import styles from './audit.module.css';


/** The outcome of one in-browser inclusion check, with what it was checked against. */
export function ProofResult({ check, onVerifyAgainstHead }: { check: ProofCheck; onVerifyAgainstHead: () => void }) {
  if (check.state === 'error') {
    return (
      <div className={`${styles.proof} ${styles.proofFailed}`} data-testid="proof-result" role="status">
        <strong>FAILED</strong> <span>could not fetch the proof: {check.message}</span>
      </div>
    );
  }
  if (check.state === 'not-covered') {
    return (
      <div className={styles.proof} data-testid="proof-not-covered" role="status">
        <span>
          Not yet covered by a checkpoint
          {check.checkpoint ? ` (the latest covers ${check.checkpoint.treeSize} entries, issued ${formatTimestamp(check.checkpoint.issuedAt)})` : ' (none issued yet)'}.
        </span>{' '}
        <button className="button buttonSecondary" type="button" data-testid="verify-against-head" onClick={onVerifyAgainstHead}>
          Verify against the current tree head (unsigned)
        </button>
      </div>
    );
  }
  const verified = check.state === 'verified';
  return (
    <div className={`${styles.proof} ${verified ? styles.proofVerified : styles.proofFailed}`} role="status">
      <div className={styles.proofHeadline}>
        <strong data-testid="proof-result">{verified ? 'verified' : 'FAILED'}</strong>
        <span>
          {check.anchor === 'checkpoint'
            ? check.signatureVerified
              ? "against the latest checkpoint's root; checkpoint signature verified (Ed25519)"
              : "against the latest checkpoint's root; checkpoint signature INVALID (Ed25519)"
            : 'against the current tree head (unsigned: not a checkpoint)'}
          {check.reason ? ` — ${check.reason}` : ''}
        </span>
      </div>
      <dl className={styles.proofDetails}>
        <dt>Leaf hash</dt>
        <dd>
          <code data-testid="proof-leaf-hash">{check.leafHash}</code>
        </dd>
        <dt>Path length</dt>
        <dd data-testid="proof-path-length">{check.pathLength}</dd>
        <dt>Root</dt>
        <dd>
          <code>{check.rootHash}</code>
        </dd>
        <dt>Tree size</dt>
        <dd>{check.treeSize}</dd>
        {check.checkpoint ? (
          <>
            <dt>Checkpoint</dt>
            <dd>
              {check.checkpoint.treeSize} entries, issued {formatTimestamp(check.checkpoint.issuedAt)}, log <code>{check.checkpoint.logId}</code>
            </dd>
            <dt>Signature</dt>
            <dd data-testid="proof-signature">
              {check.signatureVerified ? 'signature verified' : 'signature not verified'} (key id <code>{check.checkpoint.keyId.slice(0, 16)}</code>)
            </dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}
