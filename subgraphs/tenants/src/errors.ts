import { GraphQLError } from 'graphql';

/**
 * The error codes this subgraph puts in `extensions.code`. Stable: clients branch on them.
 * Resolver errors keep HTTP 200 (a federated response may be partial); only a request that
 * fails authentication as a whole answers 401.
 */
export const ERROR_CODES = ['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'LAST_ADMIN', 'NOT_CONFIGURED'] as const;
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

export function conflict(message: string, field: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'CONFLICT', field } });
}

/** Refused because the tenant would be left without a tenant_admin. */
export function lastAdmin(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'LAST_ADMIN' } });
}

/** The deployment lacks something the operation needs (e.g. no master key for secrets). */
export function notConfigured(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_CONFIGURED' } });
}

export function isClientError(error: unknown): error is GraphQLError {
  const code = error instanceof GraphQLError ? error.extensions['code'] : undefined;
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}
