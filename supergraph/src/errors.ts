import { GRAPHQL_ERRORS, type GATEWAY_ERRORS } from '@switchyard/subgraph-kit/errors';

/**
 * The gateway's own codes are GATEWAY_ERRORS in the kit's registry (subgraph codes pass through
 * unchanged); GRAPHQL_ERRORS holds every code of the API.
 */
export type GatewayErrorCode = (typeof GATEWAY_ERRORS.codes)[number];

/**
 * Codes a client may not see with their message: a code of kind `internal` (e.g.
 * DOWNSTREAM_SERVICE_ERROR for a subgraph's unhandled failure) is masked. Any other code, even
 * one the registry does not know, was caused by the client and passes.
 */
export function isMaskedCode(code: string): boolean {
  return GRAPHQL_ERRORS.kindOf(code) === 'internal';
}
