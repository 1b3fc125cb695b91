import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../../errors';
import type { PolicyDecisionPoint } from './decision-point';
import { useModelRequest, type RequestParties, type UseModelRequestInput } from './use-model-request';

export interface UseModelCheck {
  /** The principal's id: an API key's id, or `user:<sub>`. */
  apiKeyId: string;
  /** Default `api_key`. */
  principalKind?: 'api_key' | 'user';
  tenantId: string;
  scopes: readonly string[];
  model: string;
  route: string;
  headers: IncomingHttpHeaders;
  tenantSettings?: UseModelRequestInput['tenantSettings'];
}

/** `policy_denied`, carrying the decision so the caller can audit it. */
export class PolicyDeniedError extends ApiError {
  constructor(
    message: string,
    readonly determiningPolicies: readonly string[],
    readonly policyVersion: number | null,
  ) {
    super('policy_denied', { param: 'model', message });
  }
}

/**
 * Throws `policy_denied` (403) naming the deciding policies when the tenant's policy denies the
 * model/route; returns what allowed it (for the request log).
 */
export async function enforceUseModel(
  pdp: PolicyDecisionPoint,
  check: UseModelCheck,
  now: Date = new Date(),
  parties?: RequestParties,
): Promise<{ determiningPolicies: readonly string[]; policyVersion: number | null }> {
  const result = await pdp.decide(useModelRequest({ ...check, now }, parties));
  if (result.decision === 'allow') return { determiningPolicies: result.determiningPolicies, policyVersion: result.policyVersion };
  const deciding = result.determiningPolicies.length > 0 ? `denied by ${result.determiningPolicies.join(', ')}` : 'no policy permits it';
  const version = result.policyVersion === null ? '' : ` (policy version ${result.policyVersion})`;
  throw new PolicyDeniedError(
    `The tenant's policy${version} does not allow using '${check.model.slice(0, 256)}': ${deciding}. Ask a tenant admin to change the policy.`,
    result.determiningPolicies,
    result.policyVersion,
  );
}
