import type { GraphQLError } from 'graphql';
import type { PolicySourceError } from '@switchyard/data-plane/policy';
import { POLICY_ERRORS } from '@switchyard/subgraph-kit/errors';
import { homedElsewhereMessage, type HomedElsewhere } from '@switchyard/subgraph-kit/home-region';

export { badUserInput, forbidden, notFound, unauthenticated } from '@switchyard/subgraph-kit/base-errors';

/**
 * The codes this subgraph puts in `extensions.code`: POLICY_ERRORS in the kit's registry (stable:
 * clients branch on them). Resolver errors keep HTTP 200 (a federated response may be partial);
 * only a request that fails authentication as a whole answers 401.
 */
export type ErrorCode = (typeof POLICY_ERRORS.codes)[number];

export function conflict(message: string): GraphQLError {
  return POLICY_ERRORS.create('CONFLICT', message);
}

export function sameAdmin(): GraphQLError {
  return POLICY_ERRORS.create('SAME_ADMIN');
}

export function policyLockout(deniedBy: readonly string[]): GraphQLError {
  const by = deniedBy.length > 0 ? ` (denied by ${deniedBy.join(', ')})` : ' (nothing permits it)';
  return POLICY_ERRORS.create(
    'POLICY_LOCKOUT',
    `This policy would lock every tenant admin out of managing policies${by}. Add a permit for Action::"manage_policy" to principals with the tenant_admin role.`,
    { deniedBy: [...deniedBy] },
  );
}

/**
 * An invalid policy text: the first problem's exact position and reason, every problem listed.
 * `policyCode` is the engine's code (POLICY_SYNTAX_ERROR or POLICY_INVALID).
 */
export function invalidPolicy(errors: readonly PolicySourceError[]): GraphQLError {
  const describe = (error: PolicySourceError) => ({ policyCode: error.code, line: error.line, column: error.column, offset: error.offset, reason: error.reason });
  const first = errors[0];
  if (!first) return POLICY_ERRORS.create('BAD_USER_INPUT', 'The policy text is invalid.', { field: 'text' });
  return POLICY_ERRORS.create('BAD_USER_INPUT', `Invalid policy: ${first.reason} at ${first.line}:${first.column}`, {
    field: 'text',
    ...describe(first),
    errors: errors.map(describe),
  });
}

export function isClientError(error: unknown): error is GraphQLError {
  return POLICY_ERRORS.isClientError(error);
}

/** The tenant is homed in another region: its policy versions are proposed and activated there (DESIGN.md §10). */
export function tenantHomedElsewhere(refusal: HomedElsewhere): GraphQLError {
  return POLICY_ERRORS.create('TENANT_HOMED_ELSEWHERE', homedElsewhereMessage(refusal), { homeRegion: refusal.homeRegion, region: refusal.region });
}
