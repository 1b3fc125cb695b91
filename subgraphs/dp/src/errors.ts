import { GraphQLError } from 'graphql';

/**
 * Every error code this subgraph puts in `extensions.code` (stable: clients branch on them),
 * with the HTTP status it maps to when a transport reports one. Resolver errors keep HTTP 200
 * (a federated response may be partial); only a request failing authentication answers 401.
 */
export const ERROR_STATUS = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  DP_INVALID_AMOUNT: 422,
  DP_MECHANISM_NOT_ALLOWED: 422,
  DP_BUDGET_EXCEEDED: 409,
  DP_BUDGET_EXISTS: 409,
  DP_IDEMPOTENCY_CONFLICT: 409,
  DP_CHARGE_NOT_RESERVED: 409,
  DP_NOISE_DRAWN: 409,
  DP_RESERVATION_EXPIRED: 409,
  SUBSCRIPTION_VIA_GATEWAY: 400,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export function dpError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra, ...(code === 'UNAUTHENTICATED' ? { http: { status: 401 } } : {}) } });
}

export function unauthenticated(message = 'A valid internal token for this subgraph is required (authorization: Bearer <token>).'): GraphQLError {
  return dpError('UNAUTHENTICATED', message);
}

export function forbidden(message: string): GraphQLError {
  return dpError('FORBIDDEN', message);
}

export function badUserInput(message: string, field: string): GraphQLError {
  return dpError('BAD_USER_INPUT', message, { field });
}

export function isClientError(error: unknown): error is GraphQLError {
  const code = error instanceof GraphQLError ? error.extensions['code'] : undefined;
  return typeof code === 'string' && code in ERROR_STATUS;
}

export function subscriptionViaGateway(): GraphQLError {
  return dpError('SUBSCRIPTION_VIA_GATEWAY', 'Subscriptions are served by the supergraph gateway over graphql-ws (DESIGN.md §4), not by this subgraph.');
}
