import type { GraphQLError } from 'graphql';
import { AUDIT_ERRORS } from '@switchyard/subgraph-kit/errors';

export { badUserInput, forbidden, notFound, unauthenticated } from '@switchyard/subgraph-kit/base-errors';

/**
 * The codes this subgraph puts in `extensions.code`: AUDIT_ERRORS in the kit's registry (stable:
 * clients branch on them). Resolver errors keep HTTP 200 (a federated response may be partial);
 * only a request that fails authentication as a whole answers 401.
 */
export type ErrorCode = (typeof AUDIT_ERRORS.codes)[number];

export function isClientError(error: unknown): error is GraphQLError {
  return AUDIT_ERRORS.isClientError(error);
}

export function subscriptionViaGateway(): GraphQLError {
  return AUDIT_ERRORS.create('SUBSCRIPTION_VIA_GATEWAY');
}
