import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/**
 * The subgraphs that make up the supergraph. A new subgraph is one line here (plus its URL in
 * config). URLs in the composed file are the local defaults; the gateway routes by name to the
 * URLs it is given at runtime.
 */
export const SUBGRAPHS = [
  { name: 'tenants', schemaModule: '@switchyard/subgraph-tenants/schema.graphql', defaultUrl: 'http://127.0.0.1:4101/graphql' },
  { name: 'cost', schemaModule: '@switchyard/subgraph-cost/schema.graphql', defaultUrl: 'http://127.0.0.1:4104/graphql' },
  { name: 'dp', schemaModule: '@switchyard/subgraph-dp/schema.graphql', defaultUrl: 'http://127.0.0.1:4106/graphql' },
  { name: 'audit', schemaModule: '@switchyard/subgraph-audit/schema.graphql', defaultUrl: 'http://127.0.0.1:4105/graphql' },
  { name: 'policy', schemaModule: '@switchyard/subgraph-policy/schema.graphql', defaultUrl: 'http://127.0.0.1:4102/graphql' },
  { name: 'experiments', schemaModule: '@switchyard/subgraph-experiments/schema.graphql', defaultUrl: 'http://127.0.0.1:4103/graphql' },
  { name: 'slo', schemaModule: '@switchyard/subgraph-slo/schema.graphql', defaultUrl: 'http://127.0.0.1:4107/graphql' },
  { name: 'memory', schemaModule: '@switchyard/subgraph-memory/schema.graphql', defaultUrl: 'http://127.0.0.1:4108/graphql' },
] as const;

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];

export interface SubgraphSource {
  name: string;
  url: string;
  sdl: string;
}

const require = createRequire(import.meta.url);

/** Reads each subgraph's schema through its package export, never through its folder. */
export async function loadSubgraphSources(): Promise<SubgraphSource[]> {
  return Promise.all(
    SUBGRAPHS.map(async ({ name, schemaModule, defaultUrl }) => ({
      name,
      url: defaultUrl,
      sdl: await readFile(require.resolve(schemaModule), 'utf8'),
    })),
  );
}
