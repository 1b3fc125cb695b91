import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import type { InternalTokenSigner } from '@switchyard/identity';
import { disableApolloTelemetry } from '../config';
import { createCachingSigner } from './caching-signer';
import { InternalTokenDataSource } from './internal-token-data-source';
import type { SubgraphFetcher } from './subgraph-fetcher';
import { createInProcessFetcher } from './in-process-fetcher';
import type { InProcessSubgraph } from '@switchyard/subgraph-kit/in-process';

export interface GatewayOptions {
  supergraphSdl: string;
  /** Subgraph URL by subgraph name; a subgraph without one answers SUBGRAPH_UNAVAILABLE. */
  subgraphUrls: Readonly<Record<string, string>>;
  signer: InternalTokenSigner;
  /** The HTTP client for subgraph calls (default: Apollo's own). */
  fetcher?: SubgraphFetcher['fetcher'];
  /** Subgraphs this process serves itself, by name: called in process instead of over HTTP (`npm start`). */
  inProcessSubgraphs?: Readonly<Record<string, InProcessSubgraph>>;
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
      const local = options.inProcessSubgraphs?.[name];
      return new InternalTokenDataSource({ name, url }, signer, local ? createInProcessFetcher(local) : options.fetcher);
    },
  });
}
