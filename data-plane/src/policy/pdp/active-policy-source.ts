import type { Database } from '@switchyard/db';

/** A tenant's active policy as stored by the policy subgraph. */
export interface ActivePolicy {
  version: number;
  text: string;
}

/** Port: where the decision point loads a tenant's active policy from. */
export interface ActivePolicySource {
  /** Null when the tenant has no active policy (the default applies). */
  activePolicy(tenantId: string): Promise<ActivePolicy | null>;
}

/** Reads the active version under the tenant's row-level security. */
export function createDatabaseActivePolicySource(db: Pick<Database, 'withTenant'>): ActivePolicySource {
  return {
    activePolicy(tenantId) {
      return db.withTenant(tenantId, (tx) => tx.policyVersion.findFirst({ where: { tenantId, status: 'active' }, select: { version: true, text: true } }));
    },
  };
}
