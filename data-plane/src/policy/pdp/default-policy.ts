import type { PolicySet } from '../compile';
import { loadPolicySet } from '../load';

export const DEFAULT_POLICY_ID = 'default-allow-all';

/**
 * What a tenant without an active policy gets: everything is allowed, so tenants that never wrote
 * a policy keep working exactly as before the policy engine existed. Writing a first policy
 * switches the tenant to Cedar's default deny, so it must permit what it wants to keep.
 */
export const DEFAULT_POLICY_TEXT = `@id("${DEFAULT_POLICY_ID}")\npermit (principal, action, resource);\n`;

function compileDefault(): PolicySet {
  const loaded = loadPolicySet(DEFAULT_POLICY_TEXT);
  if (!loaded.ok) throw new Error('the built-in default policy does not compile');
  return loaded.policySet;
}

export const DEFAULT_POLICY_SET: PolicySet = compileDefault();
