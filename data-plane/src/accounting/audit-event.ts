/**
 * What the data plane publishes on AUDIT_STREAM (`@switchyard/events/audit`, whose
 * `auditEventSchema` the audit subgraph applies): the policy denials. A test in subgraphs/audit
 * parses these events with that schema.
 */
export const POLICY_DENIED_ACTION = 'policy.denied';

export interface DataPlaneAuditEvent {
  idempotencyKey: string;
  tenantId: string;
  actor: string;
  action: string;
  subjectId: null;
  dataClassification: 'internal';
  payload: Record<string, unknown>;
  occurredAt: string;
  /** The request's trace (W3C), when the data plane traces. */
  traceparent?: string;
}

export interface PolicyDenial {
  /** The data plane's own id of the request (generated per request: never the client's). */
  requestId: string;
  /** The client's x-request-id, kept for correlation. */
  clientRequestId?: string | undefined;
  tenantId: string;
  apiKeyId: string;
  /** Who was denied; default `api-key:<apiKeyId>`. */
  actor?: string;
  model: string;
  route: string;
  determiningPolicies: readonly string[];
  policyVersion: number | null;
  deniedAt: Date;
  /** The action denied, when not `use_model` (`call_tool`, `send_to_provider`, `process_in_region`). */
  action?: string;
  /** What was refused: tool names, or `provider/model` upstreams. */
  refused?: readonly string[];
  traceparent?: string | undefined;
}

/** One `policy.denied` audit event per denied request (idempotent by the data plane's request id). */
export function policyDeniedAuditEvent(denial: PolicyDenial): DataPlaneAuditEvent {
  return {
    idempotencyKey: `policy-denied:${denial.requestId}`,
    tenantId: denial.tenantId,
    actor: denial.actor ?? `api-key:${denial.apiKeyId}`,
    action: POLICY_DENIED_ACTION,
    subjectId: null,
    dataClassification: 'internal',
    payload: {
      requestId: denial.requestId,
      ...(denial.clientRequestId === undefined ? {} : { clientRequestId: denial.clientRequestId }),
      model: denial.model.slice(0, 256),
      route: denial.route.slice(0, 256),
      determiningPolicies: denial.determiningPolicies.slice(0, 32).map((id) => id.slice(0, 200)),
      policyVersion: denial.policyVersion,
      ...(denial.action === undefined ? {} : { action: denial.action.slice(0, 64) }),
      ...(denial.refused === undefined ? {} : { refused: denial.refused.slice(0, 32).map((name) => name.slice(0, 200)) }),
    },
    occurredAt: denial.deniedAt.toISOString(),
    ...(denial.traceparent === undefined ? {} : { traceparent: denial.traceparent }),
  };
}
