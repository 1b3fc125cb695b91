'use client';

import { useState } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import {
  approvePolicyMutation,
  canOfferApproval,
  dryRunPolicyMutation,
  policyVersionsQuery,
  proposePolicyMutation,
  rollbackPolicyMutation,
  type PolicyDryRunResult,
  type PolicyVersion,
} from '../../../../lib/policy-operations';
import { DryRunDiff } from './dry-run-diff';
import { VersionTable } from './version-table';
import styles from './policies.module.css';

/**
 * A starting point: keeps admins in charge of policies, every provider, region and tool usable
 * (an active policy is default deny for every action), and every model usable except one.
 */
const TEMPLATE = `@id("admins-manage-policies")
permit (principal, action == Action::"manage_policy", resource)
when { principal.roles.contains("tenant_admin") };

@id("use-models")
permit (principal, action == Action::"use_model", resource);

@id("any-provider-region-tool")
permit (principal, action in [Action::"send_to_provider", Action::"process_in_region", Action::"call_tool"], resource);

@id("no-large-model")
forbid (principal, action == Action::"use_model", resource is Model)
when { resource.id == "mock-large" };
`;

/**
 * Write → propose → dry run (flipped decisions) → approve (a second admin) → active; roll back to
 * any earlier active version. Every step is a mutation; the API enforces the rules and this page
 * shows its messages (positions of syntax errors, lockout, same-admin, conflicts) as they come.
 */
export function PolicyEditor({ tenantId, viewerSubject, initialVersions }: { tenantId: string; viewerSubject: string; initialVersions: PolicyVersion[] }) {
  const active = initialVersions.find((version) => version.status === 'ACTIVE');
  const [text, setText] = useState(active?.text ?? TEMPLATE);
  const [versions, setVersions] = useState(initialVersions);
  const [selected, setSelected] = useState<number | null>(initialVersions.find((version) => version.status === 'PROPOSED')?.version ?? null);
  const [dryRun, setDryRun] = useState<PolicyDryRunResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const selectedVersion = versions.find((version) => version.version === selected);
  const approvable = selectedVersion !== undefined && canOfferApproval(selectedVersion, viewerSubject);

  async function refresh() {
    const result = await callConsoleApi(policyVersionsQuery, { tenantId });
    if (result.ok) setVersions(result.data.policyVersions);
  }

  async function run<T>(step: () => Promise<{ ok: true; data: T } | { ok: false; error: { message: string } }>, done: (data: T) => string) {
    setPending(true);
    setError(null);
    setNotice(null);
    const result = await step();
    setPending(false);
    if (!result.ok) return setError(result.error.message);
    setNotice(done(result.data));
    await refresh();
  }

  const propose = () =>
    run(
      () => callConsoleApi(proposePolicyMutation, { tenantId, text }),
      ({ proposePolicy }) => {
        setSelected(proposePolicy.version);
        setDryRun(null);
        return `Proposed version ${proposePolicy.version}. Run a dry run, then ask a second admin to approve it.`;
      },
    );
  const runDryRun = (version: number) =>
    run(
      () => callConsoleApi(dryRunPolicyMutation, { tenantId, version }),
      ({ dryRunPolicy }) => {
        setDryRun(dryRunPolicy);
        return `Replayed ${dryRunPolicy.replayed} logged decisions: ${dryRunPolicy.flips.length} would flip.`;
      },
    );
  const approve = (version: number) =>
    run(
      () => callConsoleApi(approvePolicyMutation, { tenantId, version }),
      ({ approvePolicy }) => `Version ${approvePolicy.version} is active. Data planes pick it up within a second.`,
    );
  const rollback = (toVersion: number) =>
    run(
      () => callConsoleApi(rollbackPolicyMutation, { tenantId, toVersion }),
      ({ rollbackPolicy }) => `Rolled back: version ${rollbackPolicy.version} is active again.`,
    );

  return (
    <div className="stack" style={{ gap: 16 }}>
      <section className="card stack" style={{ gap: 10 }}>
        <label className="label" htmlFor="policy-text">
          Policy (Cedar subset). With no active policy every request is allowed; an active policy denies what it does not permit.
        </label>
        <textarea id="policy-text" className={`input ${styles.editor}`} value={text} onChange={(event) => setText(event.target.value)} spellCheck={false} data-testid="policy-text" />
        <div className={styles.actions}>
          <button className="button" type="button" disabled={pending} onClick={() => void propose()} data-testid="policy-propose">
            Propose
          </button>
          {selected !== null ? (
            <>
              <button className="button buttonSecondary" type="button" disabled={pending} onClick={() => void runDryRun(selected)} data-testid="policy-dry-run">
                Dry run v{selected}
              </button>
              {approvable ? (
                <button className="button buttonSecondary" type="button" disabled={pending} onClick={() => void approve(selected)} data-testid="policy-approve">
                  Approve v{selected}
                </button>
              ) : selectedVersion?.status === 'PROPOSED' ? (
                <span className="muted" data-testid="policy-approve-hint">
                  You proposed v{selected}: a different admin approves it.
                </span>
              ) : null}
            </>
          ) : null}
        </div>
        {error ? (
          <div className="alert" role="alert" data-testid="policy-error">
            {error}
          </div>
        ) : null}
        {notice ? (
          <div className="muted" role="status" data-testid="policy-notice">
            {notice}
          </div>
        ) : null}
      </section>
      {dryRun ? <DryRunDiff result={dryRun} /> : null}
      <VersionTable versions={versions} pending={pending} onSelect={(version) => { setSelected(version.version); setText(version.text); setDryRun(null); }} onRollback={(version) => void rollback(version)} />
    </div>
  );
}
