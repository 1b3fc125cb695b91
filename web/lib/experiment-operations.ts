import { z } from 'zod';
import type { Operation } from './operations';

/**
 * The experiments page's GraphQL operations (experiments subgraph). Same shape as `operations.ts`;
 * listed in CONSOLE_OPERATIONS so they are validated and persisted with the rest.
 */
function operation<TData, TVariables>(name: string, document: string, data: z.ZodType<TData>): Operation<TData, TVariables> {
  return { name, document, data };
}

const experimentSchema = z.object({
  id: z.string(),
  routeName: z.string(),
  challengerModel: z.string(),
  challengerMetadata: z
    .object({ inputPer1kUsd: z.number().nullable(), outputPer1kUsd: z.number().nullable(), contextWindow: z.number().int().nullable(), region: z.string().nullable() })
    .nullable(),
  judge: z.object({ model: z.string(), provider: z.string().nullable() }).nullable(),
  mode: z.string(),
  percent: z.number(),
  metric: z.string(),
  status: z.string(),
  statusReason: z.string().nullable(),
  baselineVersion: z.number().int(),
  promotedVersion: z.number().int().nullable(),
  autoPromote: z.boolean(),
  arms: z.array(z.object({ arm: z.string(), label: z.string(), metrics: z.array(z.object({ metric: z.string(), samples: z.number().int(), mean: z.number() })) })),
  statistics: z.object({
    estimate: z.number(),
    lower: z.number().nullable(),
    upper: z.number().nullable(),
    pValue: z.number(),
    championSamples: z.number().int(),
    challengerSamples: z.number().int(),
    decision: z.string(),
  }),
  createdAt: z.string(),
});
export type ConsoleExperiment = z.infer<typeof experimentSchema>;

const routeSchema = z.object({
  name: z.string(),
  version: z.number().int(),
  pinnedVersion: z.number().int().nullable(),
  candidates: z.array(z.object({ model: z.string() })),
  versions: z.array(z.object({ version: z.number().int(), reason: z.string(), createdBy: z.string(), createdAt: z.string() })),
});
export type ExperimentRoute = z.infer<typeof routeSchema>;

const EXPERIMENT_FIELDS = `id routeName challengerModel challengerMetadata { inputPer1kUsd outputPer1kUsd contextWindow region } judge { model provider } mode percent metric status statusReason baselineVersion promotedVersion autoPromote
  arms { arm label metrics { metric samples mean } }
  statistics { estimate lower upper pValue championSamples challengerSamples decision } createdAt`;
const ROUTE_FIELDS = 'name version pinnedVersion candidates { model } versions { version reason createdBy createdAt }';

export const tenantExperimentsQuery = operation<
  { tenant: { id: string; slug: string; name: string; routes: ExperimentRoute[]; experiments: ConsoleExperiment[] } | null },
  { slug: string }
>(
  'ConsoleTenantExperiments',
  `query ConsoleTenantExperiments($slug: String!) { tenant(slug: $slug) { id slug name routes { ${ROUTE_FIELDS} } experiments { ${EXPERIMENT_FIELDS} } } }`,
  z.object({
    tenant: z.object({ id: z.string(), slug: z.string(), name: z.string(), routes: z.array(routeSchema), experiments: z.array(experimentSchema) }).nullable(),
  }),
);

export const experimentsQuery = operation<{ experiments: ConsoleExperiment[] }, { tenantId: string }>(
  'ConsoleExperiments',
  `query ConsoleExperiments($tenantId: ID!) { experiments(tenantId: $tenantId) { ${EXPERIMENT_FIELDS} } }`,
  z.object({ experiments: z.array(experimentSchema) }),
);

export const experimentUpdatedSubscription = operation<{ experimentUpdated: ConsoleExperiment[] }, { tenantId: string }>(
  'ConsoleExperimentUpdated',
  `subscription ConsoleExperimentUpdated($tenantId: ID!) { experimentUpdated(tenantId: $tenantId) { ${EXPERIMENT_FIELDS} } }`,
  z.object({ experimentUpdated: z.array(experimentSchema) }),
);

export interface StartExperimentVariables {
  input: {
    tenantId: string;
    routeName: string;
    challengerModel: string;
    challengerMetadata?: { inputPer1kUsd?: number; outputPer1kUsd?: number; contextWindow?: number; region?: string };
    mode: 'SHADOW' | 'SPLIT';
    percent?: number;
    metric: 'COST' | 'LATENCY' | 'QUALITY';
    autoPromote: boolean;
    /** An automatic judge scoring each arm's answers into its quality. */
    judgeModel?: string;
  };
}

export const startExperimentMutation = operation<{ startExperiment: { id: string } }, StartExperimentVariables>(
  'ConsoleStartExperiment',
  `mutation ConsoleStartExperiment($input: StartExperimentInput!) { startExperiment(input: $input) { id } }`,
  z.object({ startExperiment: z.object({ id: z.string() }) }),
);

type Ref = { input: { tenantId: string; id: string } };
export const stopExperimentMutation = operation<{ stopExperiment: { id: string } }, Ref>(
  'ConsoleStopExperiment',
  `mutation ConsoleStopExperiment($input: ExperimentRefInput!) { stopExperiment(input: $input) { id } }`,
  z.object({ stopExperiment: z.object({ id: z.string() }) }),
);
export const promoteExperimentMutation = operation<{ promoteExperiment: { id: string } }, Ref>(
  'ConsolePromoteExperiment',
  `mutation ConsolePromoteExperiment($input: ExperimentRefInput!) { promoteExperiment(input: $input) { id } }`,
  z.object({ promoteExperiment: z.object({ id: z.string() }) }),
);
export const revertPromotionMutation = operation<{ revertPromotion: { id: string } }, Ref>(
  'ConsoleRevertPromotion',
  `mutation ConsoleRevertPromotion($input: ExperimentRefInput!) { revertPromotion(input: $input) { id } }`,
  z.object({ revertPromotion: z.object({ id: z.string() }) }),
);
export const rollbackRouteMutation = operation<{ rollbackRoute: { version: number } }, { input: { tenantId: string; name: string; toVersion: number; expectedVersion: number } }>(
  'ConsoleRollbackRoute',
  `mutation ConsoleRollbackRoute($input: RollbackRouteInput!) { rollbackRoute(input: $input) { version } }`,
  z.object({ rollbackRoute: z.object({ version: z.number().int() }) }),
);
export const pinRouteMutation = operation<{ pinRoute: { version: number } }, { input: { tenantId: string; name: string; version: number | null } }>(
  'ConsolePinRoute',
  `mutation ConsolePinRoute($input: PinRouteInput!) { pinRoute(input: $input) { version } }`,
  z.object({ pinRoute: z.object({ version: z.number().int() }) }),
);

const shadowCostRowSchema = z.object({ experimentId: z.string(), model: z.string(), costUsd: z.number(), requests: z.number().int() });
export type ExperimentShadowCostRow = z.infer<typeof shadowCostRowSchema>;

/**
 * Shadow cost per experiment (cost subgraph, the day window). A query of its own rather than a
 * field of ConsoleTenantExperiments: without the cost subgraph the page still works, minus this.
 */
export const experimentShadowCostQuery = operation<{ costSummary: { shadowByExperiment: ExperimentShadowCostRow[] } }, { tenantId: string }>(
  'ConsoleExperimentShadowCost',
  `query ConsoleExperimentShadowCost($tenantId: ID!) { costSummary(tenantId: $tenantId, window: LAST_24_HOURS) { shadowByExperiment { experimentId model costUsd requests } } }`,
  z.object({ costSummary: z.object({ shadowByExperiment: z.array(shadowCostRowSchema) }) }),
);

export const EXPERIMENT_OPERATIONS = [
  experimentShadowCostQuery,
  tenantExperimentsQuery,
  experimentsQuery,
  experimentUpdatedSubscription,
  startExperimentMutation,
  stopExperimentMutation,
  promoteExperimentMutation,
  revertPromotionMutation,
  rollbackRouteMutation,
  pinRouteMutation,
] as const;
