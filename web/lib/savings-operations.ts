import { z } from 'zod';
import type { Operation } from './operations';

/**
 * The savings page's GraphQL operations (cost subgraph, written by the cost optimizer). Same
 * shape as `operations.ts`; listed in CONSOLE_OPERATIONS so they are validated and persisted.
 */
function operation<TData, TVariables>(name: string, document: string, data: z.ZodType<TData>): Operation<TData, TVariables> {
  return { name, document, data };
}

export const SAVINGS_BASELINES = ['CHAMPION', 'MOST_EXPENSIVE'] as const;
export type SavingsBaseline = (typeof SAVINGS_BASELINES)[number];

const routeSavingsSchema = z.object({
  route: z.string(),
  baseline: z.enum(SAVINGS_BASELINES),
  baselineModel: z.string(),
  requests: z.number().int(),
  actualCostUsd: z.number(),
  baselineCostUsd: z.number(),
  savingsUsd: z.number(),
  savingsPct: z.number(),
  regret: z.number(),
  regretDelta: z.number(),
  computedAt: z.string(),
});
export type RouteSavings = z.infer<typeof routeSavingsSchema>;

const savingsReportSchema = z.object({
  tenantId: z.string(),
  baseline: z.enum(SAVINGS_BASELINES),
  gainSharePct: z.number(),
  routes: z.array(routeSavingsSchema),
  history: z.array(routeSavingsSchema),
});
export type SavingsReport = z.infer<typeof savingsReportSchema>;

const gainShareMonthSchema = z.object({
  tenantId: z.string(),
  month: z.string(),
  requests: z.number().int(),
  actualCostUsd: z.number(),
  baselineCostUsd: z.number(),
  savingsUsd: z.number(),
  sharePct: z.number(),
  shareUsd: z.number(),
});
export type GainShareMonth = z.infer<typeof gainShareMonthSchema>;

const ROUTE_SAVINGS_FIELDS = 'route baseline baselineModel requests actualCostUsd baselineCostUsd savingsUsd savingsPct regret regretDelta computedAt';
const REPORT_FIELDS = `tenantId baseline gainSharePct routes { ${ROUTE_SAVINGS_FIELDS} } history { ${ROUTE_SAVINGS_FIELDS} }`;

export const savingsQuery = operation<{ savings: SavingsReport }, { tenantId: string }>(
  'ConsoleSavings',
  `query ConsoleSavings($tenantId: ID!) { savings(tenantId: $tenantId) { ${REPORT_FIELDS} } }`,
  z.object({ savings: savingsReportSchema }),
);

export const savingsUpdatedSubscription = operation<{ savingsUpdated: SavingsReport }, { tenantId: string }>(
  'ConsoleSavingsUpdated',
  `subscription ConsoleSavingsUpdated($tenantId: ID!) { savingsUpdated(tenantId: $tenantId) { ${REPORT_FIELDS} } }`,
  z.object({ savingsUpdated: savingsReportSchema }),
);

export const gainShareReportQuery = operation<{ gainShareReport: GainShareMonth }, { tenantId: string; month: string }>(
  'ConsoleGainShareReport',
  `query ConsoleGainShareReport($tenantId: ID!, $month: String!) {
  gainShareReport(tenantId: $tenantId, month: $month) { tenantId month requests actualCostUsd baselineCostUsd savingsUsd sharePct shareUsd }
}`,
  z.object({ gainShareReport: gainShareMonthSchema }),
);

export const runCostOptimizerMutation = operation<{ runCostOptimizer: boolean }, { tenantId: string }>(
  'ConsoleRunCostOptimizer',
  `mutation ConsoleRunCostOptimizer($tenantId: ID!) { runCostOptimizer(tenantId: $tenantId) }`,
  z.object({ runCostOptimizer: z.boolean() }),
);

export const setOptimizerSettingsMutation = operation<{ setOptimizerSettings: SavingsReport }, { tenantId: string; baseline?: SavingsBaseline; gainSharePct?: number }>(
  'ConsoleSetOptimizerSettings',
  `mutation ConsoleSetOptimizerSettings($tenantId: ID!, $baseline: SavingsBaseline, $gainSharePct: Float) {
  setOptimizerSettings(tenantId: $tenantId, baseline: $baseline, gainSharePct: $gainSharePct) { ${REPORT_FIELDS} }
}`,
  z.object({ setOptimizerSettings: savingsReportSchema }),
);

export const SAVINGS_OPERATIONS = [savingsQuery, savingsUpdatedSubscription, gainShareReportQuery, runCostOptimizerMutation, setOptimizerSettingsMutation] as const;
