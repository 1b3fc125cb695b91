import type { CostContext } from '../context';
import type { CostSummary, CostWindow } from '../cost-summary';

/**
 * The cost subgraph only contributes `Tenant.cost`; the reference needs no lookup here
 * (the tenants subgraph owns the entity). Authorization happens when cost is read.
 */
export const tenantResolvers = {
  __resolveReference: (reference: { id: string }): { id: string } => ({ id: reference.id }),
  cost: (tenant: { id: string }, args: { window: CostWindow }, { costSummaries }: CostContext): Promise<CostSummary> =>
    costSummaries.load({ tenantId: tenant.id, window: args.window }),
  savings: (tenant: { id: string }, _args: unknown, { savings, principal }: CostContext) => savings.savings(tenant.id, principal),
};
