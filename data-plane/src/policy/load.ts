import { compilePolicySet, type PolicySet } from './compile';
import { PolicySourceError } from './errors';
import { parsePolicies } from './parser';
import { validatePolicies } from './validate';

export type LoadPolicySetResult =
  | { readonly ok: true; readonly policySet: PolicySet }
  | { readonly ok: false; readonly errors: readonly PolicySourceError[] };

/**
 * Parses, validates and compiles a policy document without throwing: the admin plane calls this
 * to refuse an invalid policy with every problem's code, position and reason.
 */
export function loadPolicySet(text: string): LoadPolicySetResult {
  try {
    const policies = parsePolicies(text);
    const issues = validatePolicies(policies);
    if (issues.length > 0) return { ok: false, errors: issues };
    return { ok: true, policySet: compilePolicySet(policies) };
  } catch (error) {
    if (error instanceof PolicySourceError) return { ok: false, errors: [error] };
    throw error;
  }
}
