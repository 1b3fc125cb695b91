import type { Database } from '@switchyard/db';
import type { LoggedDecisionRow, PolicyVersion } from './policy-version';

/** Thrown inside a transaction to roll it back: the version was not in the state the change needs. */
export class ActivationConflictError extends Error {}

/**
 * The only code of the policy subgraph that touches the database. Everything runs inside
 * `withTenant`, so row-level security confines each transaction to one tenant.
 */
export interface PolicyStore {
  listVersions(tenantId: string): Promise<PolicyVersion[]>;
  findVersion(tenantId: string, version: number): Promise<PolicyVersion | null>;
  activeVersion(tenantId: string): Promise<PolicyVersion | null>;
  /** Stores `text` as the next version number, status proposed. */
  insertProposal(tenantId: string, text: string, proposedBy: string): Promise<PolicyVersion>;
  /**
   * One transaction: the current active version (if any) becomes superseded and `version` becomes
   * active, only if it is still in `fromStatus`. Throws ActivationConflictError when it is not
   * (a concurrent approval won) or when another version became active meanwhile. A null
   * `approvedBy` keeps the recorded approver (rollback re-activates an approved version).
   */
  activate(tenantId: string, version: number, fromStatus: 'proposed' | 'superseded', approvedBy: string | null, at: Date): Promise<PolicyVersion>;
  /** The newest `limit` logged decision requests, newest first. */
  recentDecisions(tenantId: string, limit: number): Promise<LoggedDecisionRow[]>;
}

const MAX_NUMBERING_ATTEMPTS = 5;

// A policy_versions row under PolicyVersion's names (the status enum as its text).
const VERSION_COLUMNS =
  'id, tenant_id AS "tenantId", version, text, status::text AS status, proposed_by AS "proposedBy", approved_by AS "approvedBy", created_at AS "createdAt", activated_at AS "activatedAt"';

function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === 'P2002' || code === '23505' || /unique constraint/i.test(String((error as { message?: unknown }).message));
}

export function createPolicyStore(db: Database): PolicyStore {
  return {
    listVersions(tenantId) {
      // Hand-written read (the policy page's list): the same scope and row-level security, without Prisma's client runtime.
      return db.readAsTenant(tenantId, (sql) =>
        sql.rows<PolicyVersion>(`SELECT ${VERSION_COLUMNS} FROM policy_versions WHERE tenant_id = $1::uuid ORDER BY version DESC`, [tenantId]),
      );
    },

    findVersion(tenantId, version) {
      return db.withTenant(tenantId, (tx) => tx.policyVersion.findUnique({ where: { tenantId_version: { tenantId, version } } }));
    },

    activeVersion(tenantId) {
      return db.withTenant(tenantId, (tx) => tx.policyVersion.findFirst({ where: { tenantId, status: 'active' } }));
    },

    async insertProposal(tenantId, text, proposedBy) {
      // Two concurrent proposals may pick the same number; the unique (tenant, version) index refuses one, which retries.
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await db.withTenant(tenantId, async (tx) => {
            const newest = await tx.policyVersion.findFirst({ where: { tenantId }, orderBy: { version: 'desc' }, select: { version: true } });
            return tx.policyVersion.create({ data: { tenantId, version: (newest?.version ?? 0) + 1, text, status: 'proposed', proposedBy } });
          });
        } catch (error) {
          if (!isUniqueViolation(error) || attempt >= MAX_NUMBERING_ATTEMPTS) throw error;
        }
      }
    },

    async activate(tenantId, version, fromStatus, approvedBy, at) {
      try {
        return await db.withTenant(tenantId, async (tx) => {
          await tx.policyVersion.updateMany({ where: { tenantId, status: 'active' }, data: { status: 'superseded' } });
          // The status guard makes concurrent approvals of one proposal activate it once: the
          // loser's UPDATE waits for the winner's row lock, re-checks the guard and matches nothing.
          const activated = await tx.policyVersion.updateMany({
            where: { tenantId, version, status: fromStatus },
            data: { status: 'active', activatedAt: at, ...(approvedBy === null ? {} : { approvedBy }) },
          });
          if (activated.count !== 1) throw new ActivationConflictError(`version ${version} is no longer ${fromStatus}`);
          return tx.policyVersion.findUniqueOrThrow({ where: { tenantId_version: { tenantId, version } } });
        });
      } catch (error) {
        // The partial unique index (one active per tenant) refused a second concurrent activation.
        if (isUniqueViolation(error)) throw new ActivationConflictError('another version was activated concurrently');
        throw error;
      }
    },

    recentDecisions(tenantId, limit) {
      return db.withTenant(tenantId, (tx) =>
        tx.policyDecisionLog.findMany({ where: { tenantId }, orderBy: { id: 'desc' }, take: limit, select: { id: true, request: true, decision: true, createdAt: true } }),
      );
    },
  };
}
