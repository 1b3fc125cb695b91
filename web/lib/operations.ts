import { z } from 'zod';
import { MEMBER_OPERATIONS } from './member-operations';
import { POLICY_OPERATIONS } from './policy-operations';
import { REQUEST_LOG_OPERATIONS } from './request-log-operations';
import { ROUTE_OPERATIONS } from './route-operations';
import { EXPERIMENT_OPERATIONS } from './experiment-operations';
import { SECRET_OPERATIONS } from './secret-operations';
import { SETTINGS_OPERATIONS } from './settings-operations';
import { SAVINGS_OPERATIONS } from './savings-operations';
import { SLO_OPERATIONS } from './slo-operations';
import { MEMORY_OPERATIONS } from './memory-operations';

/**
 * Every GraphQL operation the console sends, with the schema its data must match. Kept in one
 * place so the gateway's persisted-operation allowlist can be generated from it.
 */
export interface Operation<TData, TVariables> {
  name: string;
  document: string;
  data: z.ZodType<TData>;
  /** Phantom: ties variables to the operation at compile time. */
  readonly variables?: TVariables;
}

function operation<TData, TVariables>(name: string, document: string, data: z.ZodType<TData>): Operation<TData, TVariables> {
  return { name, document, data };
}

export const COST_WINDOWS = ['LAST_15_MINUTES', 'LAST_HOUR', 'LAST_24_HOURS'] as const;
export const costWindowSchema = z.enum(COST_WINDOWS);
export type CostWindow = z.infer<typeof costWindowSchema>;

const tenantSummarySchema = z.object({ id: z.string(), slug: z.string(), name: z.string(), createdAt: z.string() });
export type TenantSummary = z.infer<typeof tenantSummarySchema>;

const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

const tenantDetailSchema = tenantSummarySchema.extend({ apiKeys: z.array(apiKeySchema) });
export type TenantDetail = z.infer<typeof tenantDetailSchema>;

const costPointSchema = z.object({
  bucketStart: z.string(),
  costUsd: z.number(),
  requests: z.number().int(),
  tokens: z.number().int(),
  shadowCostUsd: z.number(),
  shadowRequests: z.number().int(),
});
export type CostPoint = z.infer<typeof costPointSchema>;

const modelCostSchema = z.object({
  model: z.string(),
  costUsd: z.number(),
  requests: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
});
export type ModelCost = z.infer<typeof modelCostSchema>;

const shadowCostSchema = z.object({
  experimentId: z.string(),
  model: z.string(),
  costUsd: z.number(),
  requests: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
});
export type ShadowCost = z.infer<typeof shadowCostSchema>;

export const costSummarySchema = z.object({
  tenantId: z.string(),
  window: costWindowSchema,
  totalCostUsd: z.number(),
  totalRequests: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  /** Seconds per series point (60, or 900 for the 24-hour window). */
  bucketSeconds: z.number().int().positive(),
  series: z.array(costPointSchema),
  byModel: z.array(modelCostSchema),
  shadowCostUsd: z.number(),
  shadowRequests: z.number().int(),
  shadowByExperiment: z.array(shadowCostSchema),
});
export type CostSummary = z.infer<typeof costSummarySchema>;

// Inlined rather than a fragment: the subscription is re-run as a query by the gateway.
const COST_SUMMARY_FIELDS = `
    tenantId
    window
    totalCostUsd
    totalRequests
    promptTokens
    completionTokens
    bucketSeconds
    series { bucketStart costUsd requests tokens shadowCostUsd shadowRequests }
    byModel { model costUsd requests promptTokens completionTokens }
    shadowCostUsd
    shadowRequests
    shadowByExperiment { experimentId model costUsd requests promptTokens completionTokens }`;

const API_KEY_FIELDS = 'id name prefix scopes createdAt expiresAt revokedAt lastUsedAt';

export const tenantsQuery = operation<{ tenants: TenantSummary[] }, Record<string, never>>(
  'ConsoleTenants',
  `query ConsoleTenants { tenants { id slug name createdAt } }`,
  z.object({ tenants: z.array(tenantSummarySchema) }),
);

export const tenantQuery = operation<{ tenant: TenantDetail | null }, { slug: string }>(
  'ConsoleTenant',
  `query ConsoleTenant($slug: String!) {
  tenant(slug: $slug) { id slug name createdAt apiKeys { ${API_KEY_FIELDS} } }
}`,
  z.object({ tenant: tenantDetailSchema.nullable() }),
);

export const tenantIdentityQuery = operation<{ tenant: TenantSummary | null }, { slug: string }>(
  'ConsoleTenantIdentity',
  `query ConsoleTenantIdentity($slug: String!) { tenant(slug: $slug) { id slug name createdAt } }`,
  z.object({ tenant: tenantSummarySchema.nullable() }),
);

export const createTenantMutation = operation<{ createTenant: TenantSummary }, { input: { slug: string; name: string } }>(
  'ConsoleCreateTenant',
  `mutation ConsoleCreateTenant($input: CreateTenantInput!) { createTenant(input: $input) { id slug name createdAt } }`,
  z.object({ createTenant: tenantSummarySchema }),
);

export const createApiKeyMutation = operation<
  { createApiKey: { secret: string; apiKey: ApiKey } },
  { input: { tenantId: string; name: string; scopes?: string[] } }
>(
  'ConsoleCreateApiKey',
  `mutation ConsoleCreateApiKey($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { ${API_KEY_FIELDS} } }
}`,
  z.object({ createApiKey: z.object({ secret: z.string(), apiKey: apiKeySchema }) }),
);

export const revokeApiKeyMutation = operation<{ revokeApiKey: { id: string; revokedAt: string | null } }, { id: string }>(
  'ConsoleRevokeApiKey',
  `mutation ConsoleRevokeApiKey($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`,
  z.object({ revokeApiKey: z.object({ id: z.string(), revokedAt: z.string().nullable() }) }),
);

export const costSummaryQuery = operation<{ costSummary: CostSummary }, { tenantId: string; window: CostWindow }>(
  'ConsoleCostSummary',
  `query ConsoleCostSummary($tenantId: ID!, $window: CostWindow!) {
  costSummary(tenantId: $tenantId, window: $window) {${COST_SUMMARY_FIELDS}
  }
}`,
  z.object({ costSummary: costSummarySchema }),
);

export const costUpdatedSubscription = operation<{ costUpdated: CostSummary }, { tenantId: string; window: CostWindow }>(
  'ConsoleCostUpdated',
  `subscription ConsoleCostUpdated($tenantId: ID!, $window: CostWindow!) {
  costUpdated(tenantId: $tenantId, window: $window) {${COST_SUMMARY_FIELDS}
  }
}`,
  z.object({ costUpdated: costSummarySchema }),
);

const epsilonDeltaSchema = z.object({ epsilon: z.number(), delta: z.number() });

export const dpBudgetSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  dataset: z.string(),
  mode: z.enum(['PURE_EPSILON', 'ZCDP']),
  cap: z.string(),
  spent: z.string(),
  reserved: z.string(),
  remaining: z.string(),
  remainingMicros: z.string(),
  capMicros: z.string(),
  usedPercent: z.number(),
  delta: z.number().nullable(),
  capEpsilonDelta: epsilonDeltaSchema.nullable(),
  spentEpsilonDelta: epsilonDeltaSchema.nullable(),
  alertThresholds: z.array(z.number().int()),
});
export type DpBudget = z.infer<typeof dpBudgetSchema>;
export type DpAccountingMode = DpBudget['mode'];

// Inlined rather than a fragment: the subscription is re-run as a query by the gateway.
const DP_BUDGET_FIELDS = `
    id tenantId dataset mode cap spent reserved remaining remainingMicros capMicros usedPercent delta
    capEpsilonDelta { epsilon delta }
    spentEpsilonDelta { epsilon delta }
    alertThresholds`;

export const dpBudgetsQuery = operation<{ dpBudgets: DpBudget[] }, { tenantId: string }>(
  'ConsoleDpBudgets',
  `query ConsoleDpBudgets($tenantId: ID!) {
  dpBudgets(tenantId: $tenantId) {${DP_BUDGET_FIELDS}
  }
}`,
  z.object({ dpBudgets: z.array(dpBudgetSchema) }),
);

export const dpBudgetChangedSubscription = operation<{ dpBudgetChanged: DpBudget[] }, { tenantId: string }>(
  'ConsoleDpBudgetChanged',
  `subscription ConsoleDpBudgetChanged($tenantId: ID!) {
  dpBudgetChanged(tenantId: $tenantId) {${DP_BUDGET_FIELDS}
  }
}`,
  z.object({ dpBudgetChanged: z.array(dpBudgetSchema) }),
);

export const createDpBudgetMutation = operation<
  { createDpBudget: DpBudget },
  { input: { tenantId: string; dataset: string; mode: DpAccountingMode; cap: string; delta?: number | null; alertThresholds?: number[] } }
>(
  'ConsoleCreateDpBudget',
  `mutation ConsoleCreateDpBudget($input: CreateDpBudgetInput!) {
  createDpBudget(input: $input) {${DP_BUDGET_FIELDS}
  }
}`,
  z.object({ createDpBudget: dpBudgetSchema }),
);

export const updateDpBudgetMutation = operation<{ updateDpBudget: DpBudget }, { input: { id: string; cap?: string | null; alertThresholds?: number[] | null } }>(
  'ConsoleUpdateDpBudget',
  `mutation ConsoleUpdateDpBudget($input: UpdateDpBudgetInput!) {
  updateDpBudget(input: $input) {${DP_BUDGET_FIELDS}
  }
}`,
  z.object({ updateDpBudget: dpBudgetSchema }),
);

export const deleteDpBudgetMutation = operation<{ deleteDpBudget: { id: string } }, { id: string }>(
  'ConsoleDeleteDpBudget',
  `mutation ConsoleDeleteDpBudget($id: ID!) {
  deleteDpBudget(id: $id) { id }
}`,
  z.object({ deleteDpBudget: z.object({ id: z.string() }) }),
);

export const AUDIT_PAYLOAD_STATES = ['AVAILABLE', 'EXPIRED', 'ERASED'] as const;

export const auditEntrySchema = z.object({
  seq: z.number().int(),
  occurredAt: z.string(),
  tenantId: z.string().nullable(),
  actor: z.string(),
  /** The API key the actor is, with its name (federated from the tenants subgraph); null for people and services. */
  actorApiKey: z.object({ id: z.string(), name: z.string() }).nullable(),
  action: z.string(),
  subjectKey: z.string().nullable(),
  dataClassification: z.string(),
  payloadState: z.enum(AUDIT_PAYLOAD_STATES),
  leafHash: z.string(),
  entryHash: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

const auditCheckpointSchema = z.object({ logId: z.string(), treeSize: z.number().int(), rootHash: z.string(), issuedAt: z.string(), signature: z.string(), publicKey: z.string(), keyId: z.string() });
export type AuditCheckpoint = z.infer<typeof auditCheckpointSchema>;

const auditInclusionProofSchema = z.object({
  seq: z.number().int(),
  treeSize: z.number().int(),
  leafHash: z.string(),
  rootHash: z.string(),
  path: z.array(z.string()),
});
export type AuditInclusionProof = z.infer<typeof auditInclusionProofSchema>;

const auditEntryConnectionSchema = z.object({
  edges: z.array(z.object({ cursor: z.string(), node: auditEntrySchema })),
  pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
});
export type AuditEntryPage = z.infer<typeof auditEntryConnectionSchema>;

export interface AuditEntryFilter {
  actor?: string;
  action?: string;
  subjectKey?: string;
  tenantId?: string;
}

// Inlined rather than a fragment: the subscription is re-run as a query by the gateway.
const AUDIT_ENTRY_FIELDS = 'seq occurredAt tenantId actor actorApiKey { id name } action subjectKey dataClassification payloadState leafHash entryHash';

export const auditEntriesQuery = operation<
  { auditEntries: AuditEntryPage },
  { filter: AuditEntryFilter; first: number; after?: string | null }
>(
  'ConsoleAuditEntries',
  `query ConsoleAuditEntries($filter: AuditEntryFilter, $first: Int, $after: String) {
  auditEntries(filter: $filter, first: $first, after: $after, newestFirst: true) {
    edges { cursor node { ${AUDIT_ENTRY_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  z.object({ auditEntries: auditEntryConnectionSchema }),
);

export const auditAppendedSubscription = operation<{ auditAppended: AuditEntry | null }, { tenantId: string }>(
  'ConsoleAuditAppended',
  `subscription ConsoleAuditAppended($tenantId: ID!) {
  auditAppended(tenantId: $tenantId) { ${AUDIT_ENTRY_FIELDS} }
}`,
  z.object({ auditAppended: auditEntrySchema.nullable() }),
);

/** Without treeSize the server proves against its current (unsigned) tree head. */
export const auditProofQuery = operation<{ inclusionProof: AuditInclusionProof }, { seq: number; treeSize?: number | null }>(
  'ConsoleAuditProof',
  `query ConsoleAuditProof($seq: Int!, $treeSize: Int) {
  inclusionProof(seq: $seq, treeSize: $treeSize) { seq treeSize leafHash rootHash path }
}`,
  z.object({ inclusionProof: auditInclusionProofSchema }),
);

export const auditCheckpointQuery = operation<{ latestCheckpoint: AuditCheckpoint | null }, Record<string, never>>(
  'ConsoleAuditCheckpoint',
  `query ConsoleAuditCheckpoint { latestCheckpoint { logId treeSize rootHash issuedAt signature publicKey keyId } }`,
  z.object({ latestCheckpoint: auditCheckpointSchema.nullable() }),
);

export const CONSOLE_OPERATIONS = [
  tenantsQuery,
  tenantQuery,
  tenantIdentityQuery,
  createTenantMutation,
  createApiKeyMutation,
  revokeApiKeyMutation,
  costSummaryQuery,
  costUpdatedSubscription,
  dpBudgetsQuery,
  dpBudgetChangedSubscription,
  createDpBudgetMutation,
  updateDpBudgetMutation,
  deleteDpBudgetMutation,
  auditEntriesQuery,
  auditAppendedSubscription,
  auditProofQuery,
  auditCheckpointQuery,
  ...POLICY_OPERATIONS,
  ...MEMBER_OPERATIONS,
  ...ROUTE_OPERATIONS,
  ...EXPERIMENT_OPERATIONS,
  ...SECRET_OPERATIONS,
  ...SETTINGS_OPERATIONS,
  ...SAVINGS_OPERATIONS,
  ...REQUEST_LOG_OPERATIONS,
  ...SLO_OPERATIONS,
  ...MEMORY_OPERATIONS,
] as const;
