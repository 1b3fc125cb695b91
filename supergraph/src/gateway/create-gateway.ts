import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import type { InternalTokenSigner } from '@switchyard/identity';
import { disableApolloTelemetry } from '../config';
import { createCachingSigner } from './caching-signer';
import { InternalTokenDataSource } from './internal-token-data-source';
import type { SubgraphFetcher } from './subgraph-fetcher';

export interface GatewayOptions {
  supergraphSdl: string;
  /** Subgraph URL by subgraph name; a subgraph without one answers SUBGRAPH_UNAVAILABLE. */
  subgraphUrls: Readonly<Record<string, string>>;
  signer: InternalTokenSigner;
  /** The HTTP client for subgraph calls (default: Apollo's own). */
  fetcher?: SubgraphFetcher['fetcher'];
}

/** Stands in for a subgraph that has no URL: its fields fail alone with SUBGRAPH_UNAVAILABLE, no network involved. */
const unconfiguredSubgraph: GraphQLDataSource = {
  process: () => Promise.resolve({ errors: [{ message: 'subgraph not configured', extensions: { code: 'SUBGRAPH_UNAVAILABLE' } }] }),
};

/** An Apollo gateway over the committed supergraph, routing by subgraph name to runtime URLs. */
export function createGateway(options: GatewayOptions): ApolloGateway {
  disableApolloTelemetry();
  const signer = createCachingSigner(options.signer);
  return new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name }) => {
      const url = options.subgraphUrls[name];
      // A gateway run without one domain (e.g. tests, partial deployments) still serves the rest.
      if (!url) return unconfiguredSubgraph;
      return new InternalTokenDataSource({ name, url }, signer, options.fetcher);
    },
  });
}
