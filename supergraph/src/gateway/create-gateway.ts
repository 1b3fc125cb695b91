import { ApolloGateway } from '@apollo/gateway';
import type { InternalTokenSigner } from '@switchyard/identity';
import { disableApolloTelemetry } from '../config';
import { createCachingSigner } from './caching-signer';
import { InternalTokenDataSource } from './internal-token-data-source';

export interface GatewayOptions {
  supergraphSdl: string;
  /** Subgraph URL by subgraph name; every subgraph in the supergraph must have one. */
  subgraphUrls: Readonly<Record<string, string>>;
  signer: InternalTokenSigner;
}

/** An Apollo gateway over the committed supergraph, routing by subgraph name to runtime URLs. */
export function createGateway(options: GatewayOptions): ApolloGateway {
  disableApolloTelemetry();
  const signer = createCachingSigner(options.signer);
  return new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name }) => {
      const url = options.subgraphUrls[name];
      if (!url) throw new Error(`no URL configured for subgraph "${name}"`);
      return new InternalTokenDataSource({ name, url }, signer);
    },
  });
}
