import type { GraphQLError } from 'graphql';
import { SLO_ERRORS } from '@switchyard/subgraph-kit/errors';

export { badUserInput, forbidden, unauthenticated } from '@switchyard/subgraph-kit/base-errors';

/**
 * The codes this subgraph puts in `extensions.code`: SLO_ERRORS in the kit's registry (stable:
 * clients branch on them). Resolver errors keep HTTP 200 (a federated response may be partial);
 * only a request that fails authentication as a whole answers 401.
 */
export type ErrorCode = (typeof SLO_ERRORS.codes)[number];

export function isClientError(error: unknown): error is GraphQLError {
  return SLO_ERRORS.isClientError(error);
}

export function subscriptionViaGateway(): GraphQLError {
  return SLO_ERRORS.create('SUBSCRIPTION_VIA_GATEWAY');
}

export { notFound } from '@switchyard/subgraph-kit/base-errors';

export function versionConflict(currentVersion: number | null): GraphQLError {
  return SLO_ERRORS.create('SLO_VERSION_CONFLICT', undefined, { field: 'input.expectedVersion', currentVersion });
}

export function limitExceeded(): GraphQLError {
  return SLO_ERRORS.create('SLO_LIMIT_EXCEEDED');
}
