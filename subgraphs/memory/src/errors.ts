import type { GraphQLError } from 'graphql';
import { MEMORY_ERRORS } from '@switchyard/subgraph-kit/errors';

export { badUserInput, forbidden, notFound, unauthenticated } from '@switchyard/subgraph-kit/base-errors';

/** The codes this subgraph puts in `extensions.code`: MEMORY_ERRORS in the kit's registry (stable: clients branch on them). */
export type ErrorCode = (typeof MEMORY_ERRORS.codes)[number];

export function isClientError(error: unknown): error is GraphQLError {
  return MEMORY_ERRORS.isClientError(error);
}
