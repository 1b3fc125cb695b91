import { GraphQLError } from 'graphql';

export { badUserInput, forbidden, unauthenticated } from '@switchyard/subgraph-kit/base-errors';

/**
 * The error codes this subgraph puts in `extensions.code`. Stable: clients branch on them.
 * Resolver errors keep HTTP 200 (a federated response may be partial); only a request that
 * fails authentication as a whole answers 401.
 */
export const ERROR_CODES = ['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'VERSION_CONFLICT', 'LIMIT_EXCEEDED'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}

/** The name is taken by another route of the tenant. */
export function conflict(message: string, field: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'CONFLICT', field } });
}

/** Optimistic concurrency: the route changed since the version the caller based its change on. */
export function versionConflict(name: string, expectedVersion: number, currentVersion: number): GraphQLError {
  return new GraphQLError(
    `Route '${name}' is at version ${currentVersion}, not ${expectedVersion}: someone changed it meanwhile. Reload it and apply your change again.`,
    { extensions: { code: 'VERSION_CONFLICT', field: 'expectedVersion', expectedVersion, currentVersion } },
  );
}

export function limitExceeded(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'LIMIT_EXCEEDED' } });
}

export function isClientError(error: unknown): error is GraphQLError {
  const code = error instanceof GraphQLError ? error.extensions['code'] : undefined;
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}
