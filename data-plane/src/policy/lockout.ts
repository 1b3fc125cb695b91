import type { PolicySet } from './compile';
import { decide } from './evaluate';
import type { PolicyContext, PolicyRequest } from './request';
import { POLICY_ACTIONS } from './vocabulary';

export const ADMIN_ROLE = 'tenant_admin';
export const MANAGE_POLICY_ACTION = POLICY_ACTIONS.managePolicy;
const HOURS_OF_THE_DAY = Array.from({ length: 24 }, (_, hour) => hour);

export interface LockoutCheckOptions {
  /** The tenant whose admins must keep access. */
  readonly tenant: string;
  /** Extra context for the probes (e.g. the region admins work from); `hour` is probed 0–23. */
  readonly context?: PolicyContext;
  /** Extra principal attributes real admins carry (e.g. `mfa: true`). */
  readonly principalAttributes?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
}

export interface LockoutCheckResult {
  /** True when no probe admin was allowed `Action::"manage_policy"`: the set would lock every admin out. */
  readonly locksOutAdmins: boolean;
  /** The permits that let a probe admin in (empty when locked out). */
  readonly allowedBy: readonly string[];
  /** The forbids that denied probe admins, for the refusal message. */
  readonly deniedBy: readonly string[];
}

/**
 * Conservative check used before accepting a policy change: a representative `tenant_admin` of
 * the tenant asks for `Action::"manage_policy"` on the tenant's policy set at every hour of the
 * day. If none of those requests is allowed, the candidate set locks every admin out. It may
 * report a lockout that a differently-attributed admin would escape; refusing then is the safe side.
 */
export function lockoutCheck(policySet: PolicySet, options: LockoutCheckOptions): LockoutCheckResult {
  const deniedBy = new Set<string>();
  for (const hour of HOURS_OF_THE_DAY) {
    const request: PolicyRequest = {
      principal: { ...options.principalAttributes, id: `lockout-probe:${options.tenant}`, tenant: options.tenant, roles: [ADMIN_ROLE] },
      action: MANAGE_POLICY_ACTION,
      resource: { type: 'PolicySet', id: options.tenant, tenant: options.tenant },
      context: { ...options.context, hour },
    };
    const result = decide(policySet, request);
    if (result.decision === 'allow') return { locksOutAdmins: false, allowedBy: result.determiningPolicies, deniedBy: [] };
    for (const id of result.determiningPolicies) deniedBy.add(id);
  }
  return { locksOutAdmins: true, allowedBy: [], deniedBy: [...deniedBy] };
}
