import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { InternalTokenSigner } from '@switchyard/identity';
import { API_KEY_SERVICE_PREFIX } from '../http/caller-authenticator';
import { injectTraceHeaders } from '@switchyard/tracing/context';
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
    fetcher?: RemoteGraphQLDataSource['fetcher'],
  ) {
    super({ url: subgraph.url, ...(fetcher ? { fetcher } : {}) });
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    // W3C trace context to every subgraph call (the gateway's fetch span is active here): the subgraph's server span continues it.
    const headers = request.http?.headers;
    if (headers) {
      const carrier: Record<string, string> = {};
      injectTraceHeaders(carrier);
      for (const [name, value] of Object.entries(carrier)) headers.set(name, value);
    }
    const principal = (context as Partial<GatewayContext>).principal;
    // The gateway's own health and schema probes carry no caller: they go out unauthenticated.
    if (!principal) return;
    // An API-key caller keeps its own service identity (`api-key:<id>`); people are vouched for by the gateway.
    const service = principal.service.startsWith(API_KEY_SERVICE_PREFIX) ? principal.service : GATEWAY_SERVICE;
    const token = await this.signer.sign({ ...principal, service }, `subgraph:${this.subgraph.name}`);
    request.http?.headers.set('authorization', `Bearer ${token}`);
  }
}
