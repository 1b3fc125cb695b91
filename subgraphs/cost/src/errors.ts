import type { GraphQLError } from 'graphql';
import { COST_ERRORS } from '@switchyard/subgraph-kit/errors';

export { badUserInput, forbidden, unauthenticated } from '@switchyard/subgraph-kit/base-errors';

/**
 * The codes this subgraph puts in `extensions.code`: COST_ERRORS in the kit's registry (stable:
 * clients branch on them). Resolver errors keep HTTP 200 (a federated response may be partial);
 * only a request that fails authentication as a whole answers 401.
 */
export type ErrorCode = (typeof COST_ERRORS.codes)[number];

export function isClientError(error: unknown): error is GraphQLError {
  return COST_ERRORS.isClientError(error);
}

export function subscriptionViaGateway(): GraphQLError {
  return COST_ERRORS.create('SUBSCRIPTION_VIA_GATEWAY');
}

export function invalidCursor(): GraphQLError {
  return COST_ERRORS.create('INVALID_CURSOR', undefined, { field: 'after' });
}
