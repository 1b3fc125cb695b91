import { z } from 'zod';
import { routeDecisionSchema } from './usage';

/**
 * Durable stream carrying one entry per request the data plane answered for a known tenant,
 * served or refused (written by the data plane; read by the request-log writer beside the cost
 * subgraph). Requests nobody authenticated are not on it: no tenant can be trusted for them, so
 * they are only counted (data plane metric `switchyard_unattributed_refusals_total`).
 */
export const REQUEST_LOG_STREAM = 'switchyard:request-log';

/**
 * Pub/sub channel: key-only notification after request-log entries of a tenant were written (the
 * request-log writer publishes it; the gateway turns it into `requestLogUpdated`).
 * Message: JSON `{ tenantId }`.
 */
export const REQUEST_LOG_WRITTEN_CHANNEL = 'switchyard:request-log.written';

/** At most this many policy decisions per entry (a request asks a handful: the model, each tool, the upstreams). */
export const MAX_POLICY_DECISIONS = 16;

/** One decision of the tenant's policies on this request. */
export const policyDecisionRecordSchema = z.object({
  /** `use_model`, `call_tool`, `send_to_provider`, … */
  action: z.string().min(1).max(64),
  decision: z.enum(['allow', 'deny']),
  /** The policy ids that determined it (empty for a default decision). */
  policies: z.array(z.string().min(1).max(200)).max(32),
  /** Version of the tenant's active policy set; null when it has none. */
  policyVersion: z.number().int().nonnegative().nullable(),
});
export type PolicyDecisionRecord = z.infer<typeof policyDecisionRecordSchema>;

export const requestLogEventSchema = z.object({
  /** The data plane's own id of the request: the writer's idempotency key (with `startedAt`, the partition key). */
  requestId: z.string().min(1).max(200),
  clientRequestId: z.string().min(1).max(200).optional(),
  tenantId: z.string().uuid(),
  /** The API key that called, null for a person with an access token. */
  apiKeyId: z.string().uuid().nullable(),
  /** `user:<subject>` for a person; null for an API key. */
  userId: z.string().min(1).max(300).nullable(),
  /** The endpoint: `chat_completions`, `responses`, `response` (GET/DELETE of one), `completions`, `models`, `model`, `feedback`. */
  endpoint: z.string().min(1).max(64),
  /** The route or model the client named; null when the request was refused before it was read. */
  route: z.string().min(1).max(256).nullable(),
  /** The model that served (or was planned); null when none was chosen. */
  model: z.string().min(1).max(256).nullable(),
  provider: z.string().min(1).max(256).nullable(),
  /** HTTP status the client got (a stream that failed after its first byte keeps its 200 and carries `errorCode`). */
  status: z.number().int().min(100).max(599),
  /** The stable error code (ERRORS.md) when the request failed; null when it succeeded. */
  errorCode: z.string().min(1).max(64).nullable(),
  /** Whether the request was refused before any provider was asked (auth, scope, limits, policy, bad input). */
  refused: z.boolean(),
  latencyMs: z.number().int().nonnegative(),
  /** Time to the first byte of the answer; null when no answer started. */
  ttftMs: z.number().int().nonnegative().nullable(),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  /** Integer micro-USD as a decimal string. */
  costMicros: z.string().regex(/^\d{1,19}$/),
  /** W3C trace id (32 hex) of the request's trace; null when none was sampled or sent. */
  traceId: z.string().regex(/^[0-9a-f]{32}$/).nullable(),
  /** ISO-8601 time the request arrived: the partition key. */
  startedAt: z.string().datetime(),
  /** The routing decision and its legs; absent when the request never reached routing. */
  decision: routeDecisionSchema.optional(),
  policyDecisions: z.array(policyDecisionRecordSchema).max(MAX_POLICY_DECISIONS),
});

export type RequestLogEvent = z.infer<typeof requestLogEventSchema>;
