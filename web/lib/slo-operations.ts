import { z } from 'zod';
import type { Operation } from './operations';

/**
 * The SLO dashboard's GraphQL operations (slo subgraph). Same shape as `operations.ts`; listed in
 * CONSOLE_OPERATIONS so they are validated and persisted with the rest.
 */
function operation<TData, TVariables>(name: string, document: string, data: z.ZodType<TData>): Operation<TData, TVariables> {
  return { name, document, data };
}

export const SLO_KINDS = ['LATENCY', 'AVAILABILITY', 'QUALITY', 'COST'] as const;
export type SloKind = (typeof SLO_KINDS)[number];
const alertState = z.enum(['OK', 'TICKET', 'PAGE']);
export type SloAlertState = z.infer<typeof alertState>;

const burnWindowSchema = z.object({
  name: z.string(),
  severity: z.string(),
  longWindowSeconds: z.number().int(),
  shortWindowSeconds: z.number().int(),
  threshold: z.number(),
  longBurnRate: z.number(),
  shortBurnRate: z.number(),
  firing: z.boolean(),
});
export type SloBurnWindow = z.infer<typeof burnWindowSchema>;

const sloSchema = z.object({
  id: z.string(),
  route: z.string(),
  kind: z.enum(SLO_KINDS),
  objective: z.number(),
  windowDays: z.number().int(),
  thresholdMs: z.number().int().nullable(),
  percentile: z.number().nullable(),
  maxRegret: z.number().nullable(),
  minSavingsPct: z.number().nullable(),
  version: z.number().int(),
  status: z.object({
    sli: z.number().nullable(),
    errorBudgetRemaining: z.number(),
    goodRequests: z.number().int(),
    totalRequests: z.number().int(),
    alertState,
    throttled: z.boolean(),
    evaluatedAt: z.string(),
    windows: z.array(burnWindowSchema),
  }),
});
export type Slo = z.infer<typeof sloSchema>;

const transitionSchema = z.object({
  id: z.string(),
  sloId: z.string(),
  route: z.string(),
  state: alertState,
  previous: alertState,
  throttle: z.enum(['ENGAGE', 'RELEASE']).nullable(),
  fastBurnRate: z.number(),
  slowBurnRate: z.number(),
  occurredAt: z.string(),
});
export type SloTransition = z.infer<typeof transitionSchema>;

const overviewSchema = z.object({ tenantId: z.string(), slos: z.array(sloSchema), transitions: z.array(transitionSchema) });
export type SloOverview = z.infer<typeof overviewSchema>;

const SLO_FIELDS = `id route kind objective windowDays thresholdMs percentile maxRegret minSavingsPct version
      status { sli errorBudgetRemaining goodRequests totalRequests alertState throttled evaluatedAt
        windows { name severity longWindowSeconds shortWindowSeconds threshold longBurnRate shortBurnRate firing } }`;
const OVERVIEW_FIELDS = `tenantId slos { ${SLO_FIELDS} } transitions { id sloId route state previous throttle fastBurnRate slowBurnRate occurredAt }`;

export const sloOverviewQuery = operation<{ sloOverview: SloOverview }, { tenantId: string }>(
  'ConsoleSloOverview',
  `query ConsoleSloOverview($tenantId: ID!) { sloOverview(tenantId: $tenantId) { ${OVERVIEW_FIELDS} } }`,
  z.object({ sloOverview: overviewSchema }),
);

export const slosUpdatedSubscription = operation<{ slosUpdated: SloOverview }, { tenantId: string }>(
  'ConsoleSlosUpdated',
  `subscription ConsoleSlosUpdated($tenantId: ID!) { slosUpdated(tenantId: $tenantId) { ${OVERVIEW_FIELDS} } }`,
  z.object({ slosUpdated: overviewSchema }),
);

export interface PutSloVariables {
  input: {
    tenantId: string;
    route: string;
    kind: SloKind;
    windowDays: number;
    objective?: number;
    percentile?: number;
    thresholdMs?: number;
    maxRegret?: number;
    minSavingsPct?: number;
    expectedVersion?: number;
  };
}

export const putSloMutation = operation<{ putSlo: { id: string; version: number } }, PutSloVariables>(
  'ConsolePutSlo',
  `mutation ConsolePutSlo($input: PutSloInput!) { putSlo(input: $input) { id version } }`,
  z.object({ putSlo: z.object({ id: z.string(), version: z.number().int() }) }),
);

export const deleteSloMutation = operation<{ deleteSlo: boolean }, { tenantId: string; id: string }>(
  'ConsoleDeleteSlo',
  `mutation ConsoleDeleteSlo($tenantId: ID!, $id: ID!) { deleteSlo(tenantId: $tenantId, id: $id) }`,
  z.object({ deleteSlo: z.boolean() }),
);

export const SLO_OPERATIONS = [sloOverviewQuery, slosUpdatedSubscription, putSloMutation, deleteSloMutation] as const;
