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
  /**
   * Every tenant's active policy (tenants without one are absent): read once at data-plane start.
   * A source without it is read per tenant, on the tenant's first decision.
   */
  activePolicies?(): Promise<Array<ActivePolicy & { tenantId: string }>>;
}

/**
 * Reads active versions under each tenant's row-level security: the platform scope may list
 * tenants, but only a tenant's own scope may read its policies.
 */
export function createDatabaseActivePolicySource(db: Pick<Database, 'withTenant' | 'withPlatform'>): ActivePolicySource {
  const activePolicy = (tenantId: string): Promise<ActivePolicy | null> =>
    db.withTenant(tenantId, (tx) => tx.policyVersion.findFirst({ where: { tenantId, status: 'active' }, select: { version: true, text: true } }));
  return {
    activePolicy,
    async activePolicies() {
      const tenants = await db.withPlatform((tx) => tx.tenant.findMany({ select: { id: true } }));
      const found: Array<ActivePolicy & { tenantId: string }> = [];
      for (const { id } of tenants) {
        const active = await activePolicy(id);
        if (active) found.push({ tenantId: id, ...active });
      }
      return found;
    },
  };
}
