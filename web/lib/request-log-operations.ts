import { z } from 'zod';
import type { Operation } from './operations';

/**
 * The request log and performance pages' GraphQL operations (cost subgraph; key names come from
 * the tenants subgraph through the ApiKey entity). Listed in CONSOLE_OPERATIONS so they are
 * validated and persisted with the rest.
 */
function operation<TData, TVariables>(name: string, document: string, data: z.ZodType<TData>): Operation<TData, TVariables> {
  return { name, document, data };
}

export const STATS_WINDOWS = ['LAST_HOUR', 'LAST_24_HOURS', 'LAST_7_DAYS'] as const;
export type StatsWindow = (typeof STATS_WINDOWS)[number];
export const REQUEST_OUTCOMES = ['OK', 'ERROR', 'REFUSED'] as const;
export type RequestOutcome = (typeof REQUEST_OUTCOMES)[number];

const apiKeyRefSchema = z.object({ id: z.string(), name: z.string().nullable() }).nullable();

const requestLogEntrySchema = z.object({
  requestId: z.string(),
  clientRequestId: z.string().nullable(),
  startedAt: z.string(),
  endpoint: z.string(),
  apiKey: apiKeyRefSchema,
  userId: z.string().nullable(),
  route: z.string().nullable(),
  model: z.string().nullable(),
  provider: z.string().nullable(),
  status: z.number().int(),
  errorCode: z.string().nullable(),
  refused: z.boolean(),
  latencyMs: z.number().int(),
  ttftMs: z.number().int().nullable(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  costUsd: z.number(),
  traceId: z.string().nullable(),
});
export type RequestLogEntry = z.infer<typeof requestLogEntrySchema>;

const requestDetailSchema = requestLogEntrySchema.extend({
  decision: z
    .object({
      name: z.string(),
      configured: z.boolean(),
      strategy: z.string(),
      candidate: z.string().nullable(),
      legs: z.array(z.object({ upstream: z.string(), model: z.string(), outcome: z.string(), promptTokens: z.number().int(), completionTokens: z.number().int() })),
    })
    .nullable(),
  policyDecisions: z.array(z.object({ action: z.string(), decision: z.string(), policies: z.array(z.string()), policyVersion: z.number().int().nullable() })),
});
export type RequestDetail = z.infer<typeof requestDetailSchema>;

const requestLogPageSchema = z.object({ entries: z.array(requestLogEntrySchema), endCursor: z.string().nullable(), hasNextPage: z.boolean() });
export type RequestLogPage = z.infer<typeof requestLogPageSchema>;

export interface RequestLogFilter {
  from?: string;
  to?: string;
  apiKeyId?: string;
  userId?: string;
  route?: string;
  model?: string;
  status?: number;
  outcome?: RequestOutcome;
  minLatencyMs?: number;
  minCostUsd?: number;
  traceId?: string;
}

const ENTRY_FIELDS = 'requestId clientRequestId startedAt endpoint apiKey { id name } userId route model provider status errorCode refused latencyMs ttftMs promptTokens completionTokens costUsd traceId';

export const requestLogQuery = operation<{ requestLog: RequestLogPage }, { tenantId: string; filter: RequestLogFilter; first: number; after?: string | null }>(
  'ConsoleRequestLog',
  `query ConsoleRequestLog($tenantId: ID!, $filter: RequestLogFilter, $first: Int, $after: String) {
  requestLog(tenantId: $tenantId, filter: $filter, first: $first, after: $after) { entries { ${ENTRY_FIELDS} } endCursor hasNextPage }
}`,
  z.object({ requestLog: requestLogPageSchema }),
);

export const requestLogEntryQuery = operation<{ requestLogEntry: RequestDetail | null }, { tenantId: string; requestId: string }>(
  'ConsoleRequestLogEntry',
  `query ConsoleRequestLogEntry($tenantId: ID!, $requestId: ID!) {
  requestLogEntry(tenantId: $tenantId, requestId: $requestId) {
    ${ENTRY_FIELDS}
    decision { name configured strategy candidate legs { upstream model outcome promptTokens completionTokens } }
    policyDecisions { action decision policies policyVersion }
  }
}`,
  z.object({ requestLogEntry: requestDetailSchema.nullable() }),
);

/**
 * The newest page for a filter, pushed on subscribe and after each write of the tenant's log
 * (the gateway coalesces bursts). Same arguments as `requestLog` without a cursor.
 */
export const requestLogUpdatedSubscription = operation<{ requestLogUpdated: RequestLogPage }, { tenantId: string; filter: RequestLogFilter; first: number }>(
  'ConsoleRequestLogUpdated',
  `subscription ConsoleRequestLogUpdated($tenantId: ID!, $filter: RequestLogFilter, $first: Int) {
  requestLogUpdated(tenantId: $tenantId, filter: $filter, first: $first) { entries { ${ENTRY_FIELDS} } endCursor hasNextPage }
}`,
  z.object({ requestLogUpdated: requestLogPageSchema }),
);

/** How long the tenant's log is kept (tenants subgraph: set by its default data classification). */
export const requestLogRetentionQuery = operation<
  { tenant: { settings: { defaultDataClassification: string; requestLogRetentionDays: number } } | null },
  { slug: string }
>(
  'ConsoleRequestLogRetention',
  `query ConsoleRequestLogRetention($slug: String!) {
  tenant(slug: $slug) { settings { defaultDataClassification requestLogRetentionDays } }
}`,
  z.object({ tenant: z.object({ settings: z.object({ defaultDataClassification: z.string(), requestLogRetentionDays: z.number().int() }) }).nullable() }),
);

const latencyPointSchema = z.object({
  bucketStart: z.string(),
  requests: z.number().int(),
  errorRate: z.number(),
  refusedRate: z.number(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
});
export type LatencyPoint = z.infer<typeof latencyPointSchema>;
const latencyGroupSchema = z.object({
  key: z.string(),
  requests: z.number().int(),
  errors: z.number().int(),
  refused: z.number().int(),
  errorRate: z.number(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  series: z.array(latencyPointSchema),
});
export type LatencyGroup = z.infer<typeof latencyGroupSchema>;
const spendGroupSchema = z.object({
  key: z.string().nullable(),
  apiKey: apiKeyRefSchema,
  requests: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  costUsd: z.number(),
});
export type SpendGroup = z.infer<typeof spendGroupSchema>;

const PERFORMANCE_FIELDS = 'groups { key requests errors refused errorRate p50Ms p95Ms p99Ms series { bucketStart requests errorRate refusedRate p50Ms p95Ms p99Ms } }';
const SPEND_FIELDS = 'groups { key apiKey { id name } requests promptTokens completionTokens costUsd }';

/** Everything the performance page shows, in one round trip (aliases: per route, per model; spend by key, user, route). */
export const performanceQuery = operation<
  { byRoute: { groups: LatencyGroup[] }; byModel: { groups: LatencyGroup[] }; spendByKey: { groups: SpendGroup[] }; spendByUser: { groups: SpendGroup[] }; spendByRoute: { groups: SpendGroup[] } },
  { tenantId: string; window: StatsWindow }
>(
  'ConsolePerformance',
  `query ConsolePerformance($tenantId: ID!, $window: StatsWindow!) {
  byRoute: requestPerformance(tenantId: $tenantId, window: $window, by: ROUTE) { ${PERFORMANCE_FIELDS} }
  byModel: requestPerformance(tenantId: $tenantId, window: $window, by: MODEL) { ${PERFORMANCE_FIELDS} }
  spendByKey: spendBreakdown(tenantId: $tenantId, window: $window, by: API_KEY) { ${SPEND_FIELDS} }
  spendByUser: spendBreakdown(tenantId: $tenantId, window: $window, by: USER) { ${SPEND_FIELDS} }
  spendByRoute: spendBreakdown(tenantId: $tenantId, window: $window, by: ROUTE) { ${SPEND_FIELDS} }
}`,
  z.object({
    byRoute: z.object({ groups: z.array(latencyGroupSchema) }),
    byModel: z.object({ groups: z.array(latencyGroupSchema) }),
    spendByKey: z.object({ groups: z.array(spendGroupSchema) }),
    spendByUser: z.object({ groups: z.array(spendGroupSchema) }),
    spendByRoute: z.object({ groups: z.array(spendGroupSchema) }),
  }),
);

export const REQUEST_LOG_OPERATIONS = [requestLogQuery, requestLogEntryQuery, requestLogUpdatedSubscription, requestLogRetentionQuery, performanceQuery] as const;
