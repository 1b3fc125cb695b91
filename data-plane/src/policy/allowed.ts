import type { PolicySet } from './compile';
import { decide, type PolicyDecision } from './evaluate';
import type { PolicyContext, PolicyPrincipal, PolicyResource } from './request';

export interface AllowedResources<R extends PolicyResource> {
  /** The candidates the policies allow, in the order given. */
  readonly allowed: R[];
  /** Every candidate's decision, by resource id, for audit and for explaining a refusal. */
  readonly decisions: Map<string, PolicyDecision>;
}

/**
 * Asks one question per candidate resource: which tools may this request call, which providers
 * may its data go to, which regions may process it, which models may it use. Used for
 * enrichment (the allowed set travels with the request to the router).
 */
export function allowedResources<R extends PolicyResource>(
  policySet: PolicySet,
  question: { readonly principal: PolicyPrincipal; readonly action: string; readonly context: PolicyContext },
  candidates: readonly R[],
): AllowedResources<R> {
  const allowed: R[] = [];
  const decisions = new Map<string, PolicyDecision>();
  for (const resource of candidates) {
    const decision = decide(policySet, { principal: question.principal, action: question.action, resource, context: question.context });
    decisions.set(resource.id, decision);
    if (decision.decision === 'allow') allowed.push(resource);
  }
  return { allowed, decisions };
}
