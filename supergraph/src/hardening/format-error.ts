import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { GATEWAY_ERRORS } from '@switchyard/subgraph-kit/errors';
import { isMaskedCode } from '../errors';
import type { Logger } from '../logger';

/** Extension keys a client may see; everything else (stack traces, serviceName, exception) is dropped. */
const PUBLIC_EXTENSION_KEYS = ['code', 'field', 'retryAfter'] as const;

/**
 * Client errors keep their message and code; anything internal becomes a generic message with
 * code INTERNAL_SERVER_ERROR (and is logged here instead).
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.['code'];
    const where = {
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
    };
    if (typeof code === 'string' && !isMaskedCode(code)) {
      const extensions: Record<string, unknown> = {};
      for (const key of PUBLIC_EXTENSION_KEYS) {
        if (formatted.extensions?.[key] !== undefined) extensions[key] = formatted.extensions[key];
      }
      return { message: formatted.message, ...where, extensions };
    }
    const original = unwrapResolverError(error);
    // The gateway's fetch to a subgraph failed at the network level (minipass-fetch FetchError).
    if (original instanceof Error && original.name === 'FetchError') {
      logger.warn({ message: formatted.message, path: formatted.path }, 'subgraph unreachable');
      return { message: GATEWAY_ERRORS.definitions.SUBGRAPH_UNAVAILABLE.message, ...where, extensions: { code: 'SUBGRAPH_UNAVAILABLE' } };
    }
    logger.error(
      { code, message: formatted.message, path: formatted.path, ...(original instanceof Error ? { stack: original.stack } : {}) },
      'internal error masked',
    );
    return { message: GATEWAY_ERRORS.definitions.INTERNAL_SERVER_ERROR.message, ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
