import type { CostContext } from '../context';
import type { CostSummary, CostWindow } from '../cost-summary';

export const queryResolvers = {
  costSummary: (_parent: unknown, args: { tenantId: string; window: CostWindow }, { costSummaries }: CostContext): Promise<CostSummary> =>
    costSummaries.load({ tenantId: args.tenantId, window: args.window }),
  savings: (_parent: unknown, args: { tenantId: string }, { savings, principal }: CostContext) => savings.savings(args.tenantId, principal),
  gainShareReport: (_parent: unknown, args: { tenantId: string; month: string }, { savings, principal }: CostContext) => savings.gainShareReport(args.tenantId, args.month, principal),
};
