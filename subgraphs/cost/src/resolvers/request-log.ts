import type { CostContext } from '../context';

interface SearchArgs {
  tenantId: string;
  filter?: unknown;
  first?: unknown;
  after?: unknown;
}

/** Thin: the service validates, authorizes and shapes. */
export const requestLogQueryResolvers = {
  requestLog: (_parent: unknown, args: SearchArgs, { requestLog, principal }: CostContext) => requestLog.search(args.tenantId, args, principal),
  // The newest page (what requestLogUpdated pushes): a search without a cursor.
  latestRequests: (_parent: unknown, args: Omit<SearchArgs, 'after'>, { requestLog, principal }: CostContext) =>
    requestLog.search(args.tenantId, { filter: args.filter, first: args.first }, principal),
  requestLogEntry: (_parent: unknown, args: { tenantId: string; requestId: string }, { requestLog, principal }: CostContext) => requestLog.entry(args.tenantId, args.requestId, principal),
  requestPerformance: (_parent: unknown, args: { tenantId: string; window: string; by: string }, { requestLog, principal }: CostContext) =>
    requestLog.performance(args.tenantId, args.window, args.by, principal),
  spendBreakdown: (_parent: unknown, args: { tenantId: string; window: string; by: string }, { requestLog, principal }: CostContext) => requestLog.spend(args.tenantId, args.window, args.by, principal),
};
