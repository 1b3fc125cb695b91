import { z } from 'zod';
import type { Bus } from '@switchyard/bus';
import { DEFAULT_POLICY_SET } from '@switchyard/data-plane/pdp';
import { POLICY_CHANGED_CHANNEL, policyChangedMessage } from '@switchyard/events/policy';
import { decide, loadPolicySet, lockoutCheck, MANAGE_POLICY_ACTION, type PolicySet } from '@switchyard/data-plane/policy';
import type { Database } from '@switchyard/db';
import type { Principal } from '@switchyard/identity';
import type { HomeRegionGuard } from '@switchyard/subgraph-kit/home-region';
import { auditActor, canonicalActor, isSameActor } from '@switchyard/subgraph-kit/audit-actor';
import type { PolicyAuditTrail } from './audit-trail';
import { canManageTenantPolicy, isPlatformAdmin } from './authorization';
import { replayDecisions, type DecisionFlip } from './dry-run';
import { conflict, forbidden, invalidPolicy, notFound, policyLockout, sameAdmin } from './errors';
import type { Logger } from './logger';
import { parseInput } from './parse-input';
import { ActivationConflictError, createPolicyStore } from './policy-store';
import type { PolicyVersion } from './policy-version';

export interface PolicyDryRun {
  tenantId: string;
  version: number;
  activeVersion: number | null;
  replayed: number;
  flips: DecisionFlip[];
}

/** Authorization, validation, review workflow and audit for a tenant's policies. */
export interface PolicyService {
  policyVersions(tenantId: string, principal: Principal): Promise<PolicyVersion[]>;
  activePolicy(tenantId: string, principal: Principal): Promise<PolicyVersion | null>;
  proposePolicy(tenantId: string, text: string, principal: Principal): Promise<PolicyVersion>;
  dryRunPolicy(tenantId: string, version: number, limit: number, principal: Principal): Promise<PolicyDryRun>;
  approvePolicy(tenantId: string, version: number, principal: Principal): Promise<PolicyVersion>;
  rollbackPolicy(tenantId: string, toVersion: number, principal: Principal): Promise<PolicyVersion>;
}

export interface PolicyServiceDeps {
  db: Database;
  bus: Bus;
  audit: PolicyAuditTrail;
  logger: Logger;
  now?: () => Date;
  /** Refuses policy changes of tenants homed in another region (absent: one region, nothing refused). */
  homeGuard?: HomeRegionGuard;
}

/** Longest accepted policy document. */
export const MAX_POLICY_TEXT_LENGTH = 64 * 1024;
export const MAX_DRY_RUN_REQUESTS = 1000;

const tenantIdSchema = z.uuid('Must be a tenant id (UUID).');
const versionSchema = z.number().int().min(1, 'Versions start at 1.');
const textSchema = z.string().min(1, 'Write at least one policy.').max(MAX_POLICY_TEXT_LENGTH, `At most ${MAX_POLICY_TEXT_LENGTH} characters.`);
const limitSchema = z.number().int().min(1).max(MAX_DRY_RUN_REQUESTS, `At most ${MAX_DRY_RUN_REQUESTS} requests.`);

function compileStored(version: PolicyVersion): PolicySet {
  const loaded = loadPolicySet(version.text);
  // Stored versions were validated when proposed; a failure here means the language changed under them.
  if (!loaded.ok) throw new Error(`stored policy version ${version.version} of tenant ${version.tenantId} no longer compiles`);
  return loaded.policySet;
}

export function createPolicyService(deps: PolicyServiceDeps): PolicyService {
  const store = createPolicyStore(deps.db);
  const now = deps.now ?? (() => new Date());

  async function publishChange(tenantId: string): Promise<void> {
    try {
      await deps.bus.publish(POLICY_CHANGED_CHANNEL, policyChangedMessage(tenantId));
    } catch (error) {
      deps.logger.error({ err: error instanceof Error ? error.message : String(error), tenantId }, 'could not publish policy.changed; data planes pick it up on their next reload');
    }
  }

  /**
   * Role check, then (for tenant admins) the tenant's own policy: with an active policy, a tenant
   * admin must be allowed `Action::"manage_policy"`. Platform admins are the break-glass path.
   */
  async function authorize(tenantIdInput: string, principal: Principal, changing: boolean): Promise<string> {
    const tenantId = parseInput(tenantIdSchema, tenantIdInput, 'tenantId');
    if (!canManageTenantPolicy(principal, tenantId)) throw forbidden("Only the tenant's admins (or a platform admin) may read or change its policies.");
    if (changing && !isPlatformAdmin(principal)) {
      const active = await store.activeVersion(tenantId);
      if (active) {
        const decision = decide(compileStored(active), {
          principal: { id: principal.subject, tenant: tenantId, roles: principal.roles },
          action: MANAGE_POLICY_ACTION,
          resource: { type: 'PolicySet', id: tenantId, tenant: tenantId },
          context: { hour: now().getUTCHours() },
        });
        if (decision.decision === 'deny') throw forbidden(`The tenant's active policy does not let you manage policies (${decision.determiningPolicies.join(', ') || 'no permit'}).`);
      }
    }
    return tenantId;
  }

  async function existingVersion(tenantId: string, version: number): Promise<PolicyVersion> {
    const found = await store.findVersion(tenantId, version);
    if (!found) throw notFound(`The tenant has no policy version ${version}.`);
    return found;
  }

  return {
    async policyVersions(tenantIdInput, principal) {
      const tenantId = await authorize(tenantIdInput, principal, false);
      return store.listVersions(tenantId);
    },

    async activePolicy(tenantIdInput, principal) {
      const tenantId = await authorize(tenantIdInput, principal, false);
      return store.activeVersion(tenantId);
    },

    async proposePolicy(tenantIdInput, textInput, principal) {
      const tenantId = await authorize(tenantIdInput, principal, true);
      await deps.homeGuard?.assertWritable(tenantId);
      const text = parseInput(textSchema, textInput, 'text');
      const loaded = loadPolicySet(text);
      if (!loaded.ok) throw invalidPolicy(loaded.errors);
      const lockout = lockoutCheck(loaded.policySet, { tenant: tenantId });
      if (lockout.locksOutAdmins) throw policyLockout(lockout.deniedBy);
      const proposed = await store.insertProposal(tenantId, text, auditActor(principal));
      await deps.audit.record({ tenantId, principal, action: 'policy.propose', payload: { version: proposed.version, length: text.length } });
      return proposed;
    },

    async dryRunPolicy(tenantIdInput, versionInput, limitInput, principal) {
      const tenantId = await authorize(tenantIdInput, principal, false);
      const version = parseInput(versionSchema, versionInput, 'version');
      const limit = parseInput(limitSchema, limitInput, 'limit');
      const candidate = await existingVersion(tenantId, version);
      const active = await store.activeVersion(tenantId);
      const logged = await store.recentDecisions(tenantId, limit);
      const result = replayDecisions(
        active ? compileStored(active) : DEFAULT_POLICY_SET,
        compileStored(candidate),
        logged.map((row) => ({ loggedAt: row.createdAt, request: row.request })),
      );
      await deps.audit.record({
        tenantId,
        principal,
        action: 'policy.dry_run',
        payload: { version, activeVersion: active?.version ?? null, replayed: result.replayed, flips: result.flips.length },
      });
      return { tenantId, version, activeVersion: active?.version ?? null, ...result };
    },

    async approvePolicy(tenantIdInput, versionInput, principal) {
      const tenantId = await authorize(tenantIdInput, principal, true);
      await deps.homeGuard?.assertWritable(tenantId);
      const version = parseInput(versionSchema, versionInput, 'version');
      const candidate = await existingVersion(tenantId, version);
      if (candidate.status !== 'proposed') throw conflict(`Version ${version} is ${candidate.status}, not proposed: only a proposal can be approved.`);
      // Four eyes: proposals stored before proposedBy held actors hold a bare subject; both forms count.
      if (isSameActor(candidate.proposedBy, principal)) throw sameAdmin();
      let activated: PolicyVersion;
      try {
        activated = await store.activate(tenantId, version, 'proposed', auditActor(principal), now());
      } catch (error) {
        if (error instanceof ActivationConflictError) throw conflict(`Version ${version} was approved or changed concurrently (${error.message}); reload and retry.`);
        throw error;
      }
      await publishChange(tenantId);
      await deps.audit.record({ tenantId, principal, action: 'policy.approve', payload: { version, proposedBy: canonicalActor(candidate.proposedBy) } });
      return activated;
    },

    async rollbackPolicy(tenantIdInput, toVersionInput, principal) {
      const tenantId = await authorize(tenantIdInput, principal, true);
      await deps.homeGuard?.assertWritable(tenantId);
      const toVersion = parseInput(versionSchema, toVersionInput, 'toVersion');
      const target = await existingVersion(tenantId, toVersion);
      if (target.status === 'active') throw conflict(`Version ${toVersion} is already active.`);
      if (target.status !== 'superseded' || target.activatedAt === null) {
        throw conflict(`Version ${toVersion} was never active (${target.status}); roll back only to a version that was approved and active.`);
      }
      const previous = await store.activeVersion(tenantId);
      let activated: PolicyVersion;
      try {
        activated = await store.activate(tenantId, toVersion, 'superseded', null, now());
      } catch (error) {
        if (error instanceof ActivationConflictError) throw conflict(`The tenant's policies changed concurrently (${error.message}); reload and retry.`);
        throw error;
      }
      await publishChange(tenantId);
      await deps.audit.record({ tenantId, principal, action: 'policy.rollback', payload: { toVersion, fromVersion: previous?.version ?? null } });
      return activated;
    },
  };
}
