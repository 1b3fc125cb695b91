import { matchPolicy, type CompiledPolicy, type PolicySet } from './compile';
import type { PolicyRequest } from './request';

export interface PolicyDecision {
  readonly decision: 'allow' | 'deny';
  /**
   * The policies that decided: on allow the satisfied permits; on deny the satisfied forbids
   * (empty when nothing permitted: the default deny). Document order.
   */
  readonly determiningPolicies: string[];
  /** Policies that failed to evaluate for this request; they were skipped, as in Cedar. */
  readonly errors: Array<{ policyId: string; message: string }>;
}


/**
 * Cedar's authorization algorithm: default deny, any satisfied forbid beats every permit, and a
 * policy that errors counts as neither. Every candidate is evaluated, even after a forbid was
 * satisfied, so the erroring policies are reported exactly as Cedar reports them. Pure and
 * synchronous; the request's shape is trusted (validate untrusted input with
 * `policyRequestSchema` first).
 */
export function decide(policySet: PolicySet, request: PolicyRequest): PolicyDecision {
  const candidates = policySet.select(request);
  const slots = policySet.prepare(candidates, request);
  const resourceType = request.resource.type;
  const policies = candidates.policies;
  let permits: string[] | undefined;
  let forbids: string[] | undefined;
  let errors: Array<{ policyId: string; message: string }> | undefined;
  for (let i = 0; i < policies.length; i++) {
    const policy = policies[i] as CompiledPolicy;
    const outcome = matchPolicy(policy, slots, resourceType);
    if (outcome === false) continue;
    if (outcome === true) {
      if (policy.effect === 'forbid') (forbids ??= []).push(policy.id);
      else (permits ??= []).push(policy.id);
    } else {
      (errors ??= []).push({ policyId: policy.id, message: outcome.message });
    }
  }
  if (forbids !== undefined) return { decision: 'deny', determiningPolicies: forbids, errors: errors ?? [] };
  if (permits !== undefined) return { decision: 'allow', determiningPolicies: permits, errors: errors ?? [] };
  return { decision: 'deny', determiningPolicies: [], errors: errors ?? [] };
}
