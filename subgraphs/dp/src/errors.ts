import type { GraphQLError } from 'graphql';
import type { ErrorExtensions } from '@switchyard/subgraph-kit/define-errors';
import { DP_ERRORS } from '@switchyard/subgraph-kit/errors';

export { badUserInput, forbidden, unauthenticated } from '@switchyard/subgraph-kit/base-errors';

/**
 * The codes this subgraph puts in `extensions.code`: DP_ERRORS in the kit's registry (stable:
 * clients branch on them), each with the HTTP status it maps to when a transport reports one.
 * Resolver errors keep HTTP 200 (a federated response may be partial); only a request failing
 * authentication answers 401.
 */
export type ErrorCode = (typeof DP_ERRORS.codes)[number];

export function dpError<TCode extends ErrorCode>(code: TCode, message: string, extensions?: ErrorExtensions<(typeof DP_ERRORS.definitions)[TCode]>): GraphQLError {
  return DP_ERRORS.create(code, message, extensions);
}

export function isClientError(error: unknown): error is GraphQLError {
  return DP_ERRORS.isClientError(error);
}

export function subscriptionViaGateway(): GraphQLError {
  return DP_ERRORS.create('SUBSCRIPTION_VIA_GATEWAY');
}
