import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { InternalTokenSigner } from '@switchyard/identity';
import type { GatewayContext } from './context';

/** Name of the service subgraphs see as the one vouching for the caller. */
export const GATEWAY_SERVICE = 'gateway';

/**
 * Calls one subgraph with a short-lived internal token for audience `subgraph:<name>` (DESIGN.md §4).
 * The client's own headers are never forwarded: subgraphs only trust what the gateway signs.
 */
export class InternalTokenDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: { name: string; url: string },
    private readonly signer: InternalTokenSigner,
  ) {
    super({ url: subgraph.url });
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const principal = (context as Partial<GatewayContext>).principal;
    // The gateway's own health and schema probes carry no caller: they go out unauthenticated.
    if (!principal) return;
    const token = await this.signer.sign({ ...principal, service: GATEWAY_SERVICE }, `subgraph:${this.subgraph.name}`);
    request.http?.headers.set('authorization', `Bearer ${token}`);
  }
}
