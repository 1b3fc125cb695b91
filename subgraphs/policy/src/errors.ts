import { GraphQLError } from 'graphql';
import type { PolicySourceError } from '@switchyard/data-plane/policy';

/**
 * The error codes this subgraph puts in `extensions.code`. Stable: clients branch on them.
 * Resolver errors keep HTTP 200 (a federated response may be partial); only a request that
 * fails authentication as a whole answers 401.
 */
export const ERROR_CODES = ['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'SAME_ADMIN', 'POLICY_LOCKOUT'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export function unauthenticated(message = 'A valid internal token for this subgraph is required (authorization: Bearer <token>).'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

export function badUserInput(message: string, field: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}

export function conflict(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'CONFLICT' } });
}

export function sameAdmin(): GraphQLError {
  return new GraphQLError('You proposed this version; a different admin must approve it.', { extensions: { code: 'SAME_ADMIN' } });
}

export function policyLockout(deniedBy: readonly string[]): GraphQLError {
  const by = deniedBy.length > 0 ? ` (denied by ${deniedBy.join(', ')})` : ' (nothing permits it)';
  return new GraphQLError(
    `This policy would lock every tenant admin out of managing policies${by}. Add a permit for Action::"manage_policy" to principals with the tenant_admin role.`,
    { extensions: { code: 'POLICY_LOCKOUT', deniedBy: [...deniedBy] } },
  );
}

/**
 * An invalid policy text: the first problem's exact position and reason, every problem listed.
 * `policyCode` is the engine's code (POLICY_SYNTAX_ERROR or POLICY_INVALID).
 */
export function invalidPolicy(errors: readonly PolicySourceError[]): GraphQLError {
  const describe = (error: PolicySourceError) => ({ policyCode: error.code, line: error.line, column: error.column, offset: error.offset, reason: error.reason });
  const first = errors[0];
  if (!first) return badUserInput('The policy text is invalid.', 'text');
  return new GraphQLError(`Invalid policy: ${first.reason} at ${first.line}:${first.column}`, {
    extensions: { code: 'BAD_USER_INPUT', field: 'text', ...describe(first), errors: errors.map(describe) },
  });
}

export function isClientError(error: unknown): error is GraphQLError {
  const code = error instanceof GraphQLError ? error.extensions['code'] : undefined;
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}
