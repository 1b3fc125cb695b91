import type { PolicySet } from './compile';
import { PolicyEvaluationFault } from './errors';
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
 * policy that errors counts as neither. Pure and synchronous; the request's shape is trusted
 * (validate untrusted input with `policyRequestSchema` first).
 */
export function decide(policySet: PolicySet, request: PolicyRequest): PolicyDecision {
  const permits: string[] = [];
  const forbids: string[] = [];
  let errors: Array<{ policyId: string; message: string }> | undefined;
  const context = policySet.contextFor(request);
  for (const policy of policySet.candidatesFor(request)) {
    let satisfied: boolean;
    try {
      satisfied = policy.matches(context);
    } catch (fault) {
      if (!(fault instanceof PolicyEvaluationFault)) throw fault;
      (errors ??= []).push({ policyId: policy.id, message: fault.message });
      continue;
    }
    if (satisfied) (policy.effect === 'forbid' ? forbids : permits).push(policy.id);
  }
  if (forbids.length > 0) return { decision: 'deny', determiningPolicies: forbids, errors: errors ?? [] };
  if (permits.length > 0) return { decision: 'allow', determiningPolicies: permits, errors: errors ?? [] };
  return { decision: 'deny', determiningPolicies: [], errors: errors ?? [] };
}
