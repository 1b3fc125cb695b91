/**
 * Asks Cedar itself (the `@cedar-policy/cedar-wasm` build, a test-only dependency) for the decision
 * on a policy set and request, translated into Cedar's inputs. Test-only.
 */
import { isAuthorized, type EntityJson, type Context } from '@cedar-policy/cedar-wasm/nodejs';
import type { Policy } from '../ast';
import { printPolicy } from '../print';
import type { Attributes, PolicyRequest } from '../request';

/** The entity type our principals get in Cedar; the language never names it. */
export const PRINCIPAL_ENTITY_TYPE = 'Principal';

export interface OracleDecision {
  readonly decision: 'allow' | 'deny';
  readonly determiningPolicies: string[];
  readonly erroringPolicies: string[];
}

function cedarAttributes(attributes: Attributes): Context {
  const result: Context = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) result[name] = Array.isArray(value) ? [...value] : (value as string | number | boolean);
  }
  return result;
}

/** Cedar inputs for our request: principal and resource become entities whose attributes are all the request's fields. */
export function toCedarRequest(request: PolicyRequest): { entities: EntityJson[]; context: Context } {
  return {
    entities: [
      { uid: { type: PRINCIPAL_ENTITY_TYPE, id: request.principal.id }, attrs: cedarAttributes(request.principal), parents: [] },
      { uid: { type: request.resource.type, id: request.resource.id }, attrs: cedarAttributes(request.resource), parents: [] },
    ],
    context: cedarAttributes(request.context),
  };
}

/** Runs Cedar. `policyTexts` maps each policy id to its Cedar text (by default, our printer's output). */
export function cedarDecide(policies: readonly Policy[], request: PolicyRequest, policyTexts?: Readonly<Record<string, string>>): OracleDecision {
  const texts = policyTexts ?? Object.fromEntries(policies.map((policy) => [policy.id, printPolicy(policy)]));
  const { entities, context } = toCedarRequest(request);
  const answer = isAuthorized({
    principal: { type: PRINCIPAL_ENTITY_TYPE, id: request.principal.id },
    action: { type: 'Action', id: request.action },
    resource: { type: request.resource.type, id: request.resource.id },
    context,
    policies: { staticPolicies: texts },
    entities,
  });
  if (answer.type === 'failure') {
    throw new Error(`Cedar refused the input: ${answer.errors.map((error) => error.message).join('; ')}`);
  }
  return {
    decision: answer.response.decision,
    determiningPolicies: [...answer.response.diagnostics.reason].sort(),
    erroringPolicies: answer.response.diagnostics.errors.map((error) => error.policyId).sort(),
  };
}
