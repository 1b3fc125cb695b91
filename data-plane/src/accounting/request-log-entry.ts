import { MAX_POLICY_DECISIONS, type PolicyDecisionRecord, type RequestLogEvent } from '@switchyard/events/request-log';
import type { CompletedRequest } from './usage-recorder';

/**
 * What the request path learns about one request while it runs, filled in step by step (the app
 * creates it, authentication names the caller, the chat handler adds route, usage, first byte and
 * policy decisions) and turned into a request-log entry when the response closes.
 */
export interface RequestLogDraft {
  requestId: string;
  clientRequestId?: string | undefined;
  endpoint: string;
  /** Epoch ms the request arrived. */
  startedAt: number;
  traceId: string | null;
  /** Set once authentication succeeded: without it nothing is logged per request. */
  caller?: { tenantId: string; apiKeyId: string | null; userId: string | null } | undefined;
  /** The route or model the client named. */
  route?: string | undefined;
  /** The model planned before any answer (replaced by what served, from `usage`). */
  plannedModel?: string | undefined;
  plannedProvider?: string | undefined;
  /** The usage record, for requests that reached a provider. */
  usage?: CompletedRequest | undefined;
  /** Epoch ms the first byte of the answer was ready. */
  firstByteAt?: number | undefined;
  policyDecisions: PolicyDecisionRecord[];
  /** The stable error code the client got (also for a stream that failed after its first byte). */
  errorCode?: string | undefined;
}

export function newRequestLogDraft(init: Pick<RequestLogDraft, 'requestId' | 'clientRequestId' | 'endpoint' | 'startedAt' | 'traceId'>): RequestLogDraft {
  // Every field named up front, in one order: one object shape for every draft (the steps fill
  // them in different orders), and no copy of `init`.
  return {
    requestId: init.requestId,
    clientRequestId: init.clientRequestId,
    endpoint: init.endpoint,
    startedAt: init.startedAt,
    traceId: init.traceId,
    caller: undefined,
    route: undefined,
    plannedModel: undefined,
    plannedProvider: undefined,
    usage: undefined,
    firstByteAt: undefined,
    policyDecisions: [],
    errorCode: undefined,
  };
}

/** Adds a policy decision, keeping at most MAX_POLICY_DECISIONS (the first ones: they decided). */
export function notePolicyDecision(draft: RequestLogDraft | undefined, decision: PolicyDecisionRecord): void {
  if (draft && draft.policyDecisions.length < MAX_POLICY_DECISIONS) draft.policyDecisions.push(decision);
}

/** W3C `traceparent`: version 00, a non-zero trace id. Anything else is ignored (client input). */
const TRACEPARENT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id a client sent in `traceparent`, when well-formed; null otherwise. */
export function traceIdFromHeader(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const match = TRACEPARENT.exec(header.trim());
  const traceId = match?.[1];
  return traceId && !/^0+$/.test(traceId) ? traceId : null;
}

/**
 * The entry of a finished request (pure). `costMicros` is the priced usage (0 when nothing was
 * generated). Refused = answered with an error before any provider was asked.
 */
export function requestLogEntryOf(draft: RequestLogDraft, caller: NonNullable<RequestLogDraft['caller']>, status: number, endedAt: number, costMicros: bigint): RequestLogEvent {
  const { usage } = draft;
  const entry: RequestLogEvent = {
    requestId: draft.requestId,
    tenantId: caller.tenantId,
    apiKeyId: caller.apiKeyId,
    userId: caller.userId,
    endpoint: draft.endpoint,
    route: draft.route ?? null,
    model: usage?.model ?? draft.plannedModel ?? null,
    provider: usage ? usage.provider : (draft.plannedProvider ?? null),
    status,
    errorCode: draft.errorCode ?? (status >= 400 ? 'http_' + String(status) : null),
    refused: usage === undefined && status >= 400,
    latencyMs: Math.max(0, Math.round(endedAt - draft.startedAt)),
    ttftMs: draft.firstByteAt === undefined ? null : Math.max(0, Math.round(draft.firstByteAt - draft.startedAt)),
    promptTokens: usage ? Math.max(0, Math.round(usage.promptTokens)) : 0,
    completionTokens: usage ? Math.max(0, Math.round(usage.completionTokens)) : 0,
    costMicros: costMicros.toString(),
    traceId: draft.traceId,
    startedAt: new Date(draft.startedAt).toISOString(),
    policyDecisions: draft.policyDecisions,
  };
  if (draft.clientRequestId !== undefined) entry.clientRequestId = draft.clientRequestId;
  if (usage?.route) entry.decision = usage.route;
  return entry;
}
