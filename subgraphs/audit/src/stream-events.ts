import { usageEventSchema } from '@switchyard/events/usage';
import { apiKeyIdentity } from '@switchyard/subgraph-kit/audit-actor';
import { auditEventSchema, type AuditEventInput } from '@switchyard/events/audit';

/** A stream entry turned into an audit event, or the reason it never can be. */
export type ParsedStreamEvent = { ok: true; event: AuditEventInput; traceparent?: string | undefined } | { ok: false; reason: string };

function parseJson(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return undefined;
  }
}

function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ');
}

export function parseAuditStreamEntry(payload: string): ParsedStreamEvent {
  const json = parseJson(payload);
  if (json === undefined) return { ok: false, reason: 'payload is not JSON' };
  const result = auditEventSchema.safeParse(json);
  if (!result.success) return { ok: false, reason: describeIssues(result.error.issues) };
  // The trace is how the event is consumed, not what is recorded: it stays out of the ledger entry.
  const { traceparent, ...event } = result.data;
  return { ok: true, event, traceparent };
}

/**
 * One audit entry per inference request, from the usage event the data plane already emits
 * (its routing decision: route, strategy, served candidate and legs; model, provider, cost, status). Idempotent by
 * the data plane's request id (generated per request; the client's x-request-id is only recorded, as
 * `clientRequestId`, so reusing it can neither hide a request nor suppress another tenant's entry).
 */
export function parseUsageStreamEntry(payload: string): ParsedStreamEvent {
  const json = parseJson(payload);
  if (json === undefined) return { ok: false, reason: 'payload is not JSON' };
  const result = usageEventSchema.safeParse(json);
  if (!result.success) return { ok: false, reason: describeIssues(result.error.issues) };
  const usage = result.data;
  return {
    ok: true,
    traceparent: usage.traceparent,
    event: {
      idempotencyKey: `inference:${usage.requestId}`,
      tenantId: usage.tenantId,
      actor: usage.apiKeyId ? apiKeyIdentity(usage.apiKeyId) : 'service:data-plane',
      action: 'inference.request',
      dataClassification: 'internal',
      occurredAt: usage.createdAt,
      payload: {
        requestId: usage.requestId,
        ...(usage.clientRequestId === undefined ? {} : { clientRequestId: usage.clientRequestId }),
        model: usage.model,
        provider: usage.provider,
        status: usage.status,
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        costMicros: usage.costMicros,
        priceBookVersion: usage.priceBookVersion,
        latencyMs: usage.latencyMs,
        // The routing decision: route, strategy, the candidate that served, every leg.
        ...(usage.route ? { route: usage.route } : {}),
        // The experiment arm: a shadow copy or an experiment judge's call shows as what it was.
        ...(usage.experiment ? { experiment: usage.experiment } : {}),
      },
    },
  };
}
