import { z } from 'zod';
import { traceparentSchema } from './trace';

/** Durable stream carrying one entry per completed request (written by the data plane; read by the cost and audit domains). */
export const USAGE_STREAM = 'switchyard:usage';

/** Upper bound on recorded legs: a route has a handful of candidates; more is a bug, not a request. */
export const MAX_ROUTE_LEGS = 32;

/** One upstream leg of a request, as the router ran it. */
export const routeLegSchema = z.object({
  /** `provider/model`. */
  upstream: z.string().min(1).max(300),
  model: z.string().min(1).max(256),
  outcome: z.enum(['won', 'lost', 'failed']),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
});

/** The routing decision behind a request: which route, how it ranks, which candidate served, every leg. */
export const routeDecisionSchema = z.object({
  /** The route (or plain model) the client named. */
  name: z.string().min(1).max(256),
  /** False when the client named a plain model (a one-candidate route). */
  configured: z.boolean(),
  /** The route's strategy kind (`priority`, `weighted`, …). */
  strategy: z.string().min(1).max(64),
  /** `provider/model` that served the answer; null when none did. */
  candidate: z.string().min(1).max(300).nullable(),
  legs: z.array(routeLegSchema).max(MAX_ROUTE_LEGS),
  /** Which cost-optimizer priors ranked the candidates (a bandit route with priors only): the canary's or the active ones. */
  priors: z.enum(['active', 'canary']).optional(),
});

export type RouteDecisionRecord = z.infer<typeof routeDecisionSchema>;

/**
 * The experiment arm a request belongs to. `shadow`: a copy of a request the champion answered,
 * sent to the challenger off the client's path; its tokens are the tenant's shadow cost, shown apart.
 * `judge` (always with `shadow`): the experiment's automatic judge scoring that arm's answer; billed
 * as the experiment's shadow cost (under the judge's model), never counted as the arm's own cost or latency.
 */
export const experimentArmSchema = z.object({
  experimentId: z.string().uuid(),
  arm: z.enum(['champion', 'challenger']),
  shadow: z.boolean(),
  judge: z.boolean().optional(),
});

export type ExperimentArmRecord = z.infer<typeof experimentArmSchema>;

export const usageEventSchema = z.object({
  /**
   * The data plane's own id of the request, generated per request (never the client's): the key
   * consumers deduplicate on (cost: one row per id; audit: `inference:<id>`).
   */
  requestId: z.string().min(1).max(200),
  /** The client's `x-request-id`, when it sent one: correlation only, not unique, never a dedup key. */
  clientRequestId: z.string().min(1).max(200).optional(),
  tenantId: z.string().uuid(),
  apiKeyId: z.string().uuid().nullable(),
  model: z.string().min(1),
  provider: z.string().min(1),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  priceBookVersion: z.number().int().positive(),
  /** Integer micro-USD, as a decimal string (JSON has no bigint). */
  costMicros: z.string().regex(/^\d+$/),
  latencyMs: z.number().int().nonnegative(),
  status: z.enum(['ok', 'error']),
  /** ISO-8601 time the request completed. */
  createdAt: z.string().datetime(),
  /**
   * PII found and redacted in the prompt, by type (e.g. `{ email: 1 }`). Optional and absent when
   * nothing was redacted; keys are open strings so a new detector type does not break consumers.
   */
  piiRedactions: z.record(z.string().min(1).max(64), z.number().int().nonnegative()).optional(),
  /** The routing decision (optional: events written before it existed stay valid). */
  route: routeDecisionSchema.optional(),
  /** The experiment arm (optional: requests outside experiments, and events written before it existed, have none). */
  experiment: experimentArmSchema.optional(),
  /** The request's trace (W3C), when the data plane traces: the consumers' spans join it. */
  traceparent: traceparentSchema.optional(),
});

export type UsageEvent = z.infer<typeof usageEventSchema>;

/**
 * Durable stream of quality scores (`POST /v1/feedback`) for requests that took part in an
 * experiment (written by the data plane, read by the experiments subgraph's statistics).
 * Idempotent by `requestId`: feedback counts once per request.
 */
export const EXPERIMENT_FEEDBACK_STREAM = 'switchyard:experiment-feedback';

export const experimentFeedbackEventSchema = z.object({
  requestId: z.string().min(1).max(200),
  tenantId: z.string().uuid(),
  experimentId: z.string().uuid(),
  arm: z.enum(['champion', 'challenger']),
  score: z.number().min(0).max(1),
  /** `judge`: the experiment's automatic judge scored the arm's answer (`requestId` is then `<request id>:judge:<arm>`); absent: a client's `POST /v1/feedback`. */
  source: z.enum(['client', 'judge']).optional(),
  createdAt: z.string().datetime(),
});

export type ExperimentFeedbackEvent = z.infer<typeof experimentFeedbackEventSchema>;
