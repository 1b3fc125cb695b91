import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { GATEWAY_ERRORS } from '@switchyard/subgraph-kit/errors';
import { OPERATION_LIMITS } from '../hardening/limits';

/** A subscription document parsed and validated, or why it is refused. */
export type ValidatedDocument = { document: DocumentNode } | { errors: readonly GraphQLError[] };

/**
 * Parse and validation once per distinct subscription text: every console subscribes with the
 * same few persisted documents, and validating the cost subscription (spec rules plus depth,
 * alias and cost limits) was the largest part of a subscriber's connect CPU with 10,000 sockets.
 * Validation depends only on the text, the schema and the rules, so a cached answer is the same
 * answer. Bounded: the oldest text is forgotten first.
 */
export function createValidatedDocuments(schema: GraphQLSchema, rules: readonly ValidationRule[], maxEntries = 256): (query: string) => ValidatedDocument {
  const cache = new Map<string, ValidatedDocument>();
  return (query) => {
    const hit = cache.get(query);
    if (hit) return hit;
    let result: ValidatedDocument;
    try {
      const document = parse(query, { maxTokens: OPERATION_LIMITS.maxTokens });
      const errors = validate(schema, document, rules);
      result = errors.length > 0 ? { errors: errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) } : { document };
    } catch (error) {
      result = { errors: [error instanceof GraphQLError ? error : GATEWAY_ERRORS.create('GRAPHQL_PARSE_FAILED', 'Malformed query')] };
    }
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
    cache.set(query, result);
    return result;
  };
}
