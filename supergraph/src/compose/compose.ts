import { composeServices } from '@apollo/composition';
import { parse, printSchema, type GraphQLError } from 'graphql';
import type { SubgraphSource } from './subgraph-sources';

export interface ComposedSupergraph {
  /** The supergraph SDL the gateway plans queries with (committed as supergraph.graphql). */
  supergraphSdl: string;
  /** The public API clients see (committed as api-schema.graphql; the base of breaking-change checks). */
  apiSchemaSdl: string;
}

export class CompositionError extends Error {
  constructor(readonly errors: readonly GraphQLError[]) {
    super(`supergraph composition failed:\n${errors.map((error) => `  - ${error.message}`).join('\n')}`);
    this.name = 'CompositionError';
  }
}

const withTrailingNewline = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);

export function composeSupergraph(sources: readonly SubgraphSource[]): ComposedSupergraph {
  let typeDefs;
  try {
    typeDefs = sources.map((source) => ({ name: source.name, url: source.url, typeDefs: parse(source.sdl) }));
  } catch (error) {
    throw new CompositionError([error as GraphQLError]);
  }
  const result = composeServices(typeDefs);
  if (result.errors) throw new CompositionError(result.errors);
  return {
    supergraphSdl: withTrailingNewline(result.supergraphSdl),
    apiSchemaSdl: withTrailingNewline(printSchema(result.schema.toAPISchema().toGraphQLJSSchema())),
  };
}
