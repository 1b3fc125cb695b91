import type { CostContext } from '../context';

export const mutationResolvers = {
  runCostOptimizer: (_parent: unknown, args: { tenantId: string }, { savings, principal }: CostContext) => savings.runCostOptimizer(args.tenantId, principal),
  setOptimizerSettings: (_parent: unknown, args: { tenantId: string; baseline?: unknown; gainSharePct?: unknown }, { savings, principal }: CostContext) =>
    savings.setOptimizerSettings(args.tenantId, { baseline: args.baseline, gainSharePct: args.gainSharePct }, principal),
};
