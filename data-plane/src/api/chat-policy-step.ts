import type { IncomingHttpHeaders } from 'node:http';
import { trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { SWITCHYARD } from '@switchyard/tracing';
import { currentTraceparent } from '@switchyard/tracing/context';
import { AUDIT_STREAM } from '@switchyard/events/audit';
import { policyDeniedAuditEvent, type PolicyDenial } from '../accounting/audit-event';
import type { Bus } from '@switchyard/bus';
import type { InferenceRequest } from '../domain/inference-request';
import type { AuthenticatedKey } from '../ingress/authenticate';
import type { PolicyDecisionPoint } from '../policy/pdp/decision-point';
import { enforceUseModel, PolicyDeniedError } from '../policy/pdp/enforce';
import { enforceToolPermissions, NoPermittedUpstreamError, ToolNotPermittedError, upstreamPermissions, type NamedTool, type UpstreamPermissions } from '../policy/pdp/enforce-data-policies';
import { requestParties } from '../policy/pdp/use-model-request';
import { POLICY_ACTIONS } from '../policy/vocabulary';
import type { TenantSettings } from '@switchyard/db/tenant-settings';
import { notePolicyDecision, type RequestLogDraft } from '../accounting/request-log-entry';

export interface ChatPolicyStep {
  policy: PolicyDecisionPoint;
  bus: Pick<Bus, 'append'>;
  logger: Logger;
  /** The data plane's own id (the audit entry's idempotency key). */
  requestId: string;
  /** The client's x-request-id, recorded for correlation. */
  clientRequestId?: string | undefined;
  key: AuthenticatedKey;
  chatRequest: InferenceRequest;
  route: string;
  headers: IncomingHttpHeaders;
  /** Where the decisions are noted for the request log. */
  log?: RequestLogDraft | undefined;
  /** The tenant's default classification and allowed regions (tenant settings). */
  tenantSettings: Pick<TenantSettings, 'allowedRegions' | 'defaultDataClassification'>;
  /** Counts each denial by the action denied (switchyard_policy_denials_total). */
  countDenial?: (action: string) => void;
}

/**
 * Every tool a request names: each tool it offers, and the tool its choice forces; `param` is
 * where the client wrote it in OpenAI's wire format (tools keep their order through translation).
 */
export function toolsNamedIn(request: Pick<InferenceRequest, 'tools' | 'toolChoice'>): NamedTool[] {
  const named: NamedTool[] = (request.tools ?? []).map((tool, i) => ({ name: tool.name, param: `tools[${i}].function.name` }));
  const choice = request.toolChoice;
  if (typeof choice === 'object') named.push({ name: choice.name, param: 'tool_choice.function.name' });
  return named;
}

/**
 * The policy step of a chat request: may the caller use this model or route, may it call every
 * tool it names; then the egress and data-locality filter the router applies to every upstream.
 * A denial is a 403 with its own code and one `policy.denied` audit entry (not awaited).
 */
export async function enforceChatPolicies(step: ChatPolicyStep, now: Date = new Date()): Promise<UpstreamPermissions> {
  const { callerId, kind, tenantId, scopes } = step.key;
  const input = { apiKeyId: callerId, principalKind: kind, tenantId, scopes, model: step.chatRequest.model, route: step.route, headers: step.headers, tenantSettings: step.tenantSettings, now };
  // Who asks and in what circumstances, once for every question this request raises.
  const parties = requestParties(input);
  try {
    const allowed = await enforceUseModel(step.policy, input, now, parties);
    notePolicyDecision(step.log, { action: POLICY_ACTIONS.useModel, decision: 'allow', policies: [...allowed.determiningPolicies], policyVersion: allowed.policyVersion });
    await enforceToolPermissions(step.policy, parties, toolsNamedIn(step.chatRequest), step.chatRequest.model, step.route);
    return upstreamPermissions(await step.policy.forTenant(tenantId), parties);
  } catch (error) {
    if (error instanceof PolicyDeniedError) audit(step, { determiningPolicies: error.determiningPolicies, policyVersion: error.policyVersion });
    if (error instanceof ToolNotPermittedError) {
      audit(step, { determiningPolicies: error.determiningPolicies, policyVersion: error.policyVersion, action: POLICY_ACTIONS.callTool, refused: error.refusedTools });
    }
    throw error;
  }
}

/**
 * The error for a plan that is empty because every upstream was refused by policy or by the
 * tenant's allowed regions; undefined otherwise. Audited when a policy step ran.
 */
export function refusedUpstreamsError(step: ChatPolicyStep | undefined, permissions: UpstreamPermissions): NoPermittedUpstreamError | undefined {
  const refused = permissions.refused();
  if (refused.length === 0) return undefined;
  const error = new NoPermittedUpstreamError(refused, permissions.policyVersion());
  if (step) audit(step, { determiningPolicies: error.determiningPolicies, policyVersion: error.policyVersion, action: POLICY_ACTIONS.sendToProvider, refused: refused.map((r) => r.upstream) });
  return error;
}

function audit(step: ChatPolicyStep, denial: Pick<PolicyDenial, 'determiningPolicies' | 'policyVersion' | 'action' | 'refused'>): void {
  notePolicyDecision(step.log, { action: denial.action ?? POLICY_ACTIONS.useModel, decision: 'deny', policies: [...denial.determiningPolicies], policyVersion: denial.policyVersion });
  const { tenantId, callerId, actor } = step.key;
  // The denial marks the active span (policy step or request) so the tail sampler keeps the trace; the audit event joins it.
  trace.getActiveSpan()?.setAttribute(SWITCHYARD.policyDecision, 'deny');
  step.countDenial?.(denial.action ?? POLICY_ACTIONS.useModel);
  const event = policyDeniedAuditEvent({ requestId: step.requestId, clientRequestId: step.clientRequestId, tenantId, apiKeyId: callerId, actor, model: step.chatRequest.model, route: step.route, deniedAt: new Date(), traceparent: currentTraceparent(), ...denial });
  // Off the hot path: the 403 does not wait for the audit stream.
  step.bus.append(AUDIT_STREAM, JSON.stringify(event)).catch((appendError: unknown) => step.logger.error({ err: appendError, requestId: step.requestId }, 'policy denial could not be audited'));
}
