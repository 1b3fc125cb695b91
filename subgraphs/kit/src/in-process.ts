import type { Server } from 'node:http';

/**
 * A subgraph's `/graphql` reachable without its socket, for a gateway in the same process
 * (`npm start`): the same request (headers and JSON body as the gateway would send them) goes
 * through the same handling as an HTTP one (internal token verification, caller identity, the
 * subgraph's context and error formatting, body limit) and gets the same status, headers and body.
 * Only the socket write and the HTTP parsing on both ends are skipped.
 */
export interface InProcessSubgraph {
  execute(request: InProcessGraphQLRequest): Promise<InProcessGraphQLResponse>;
}

export interface InProcessGraphQLRequest {
  /** Lower- or mixed-case header names, as a fetcher's `init.headers`. */
  headers: Readonly<Record<string, string>>;
  /** The JSON request body, as it would go on the wire. */
  body: string;
}

export interface InProcessGraphQLResponse {
  status: number;
  headers: ReadonlyMap<string, string>;
  body: string;
}

// Keyed by the server the kit built, so every subgraph built on the kit is reachable in process
// without each subgraph's start function passing one more field along.
const inProcessByServer = new WeakMap<Server, InProcessSubgraph>();

/** Called by the kit's HTTP transport for the server it builds. */
export function registerInProcessSubgraph(server: Server, subgraph: InProcessSubgraph): void {
  inProcessByServer.set(server, subgraph);
}

/** The in-process entrance of a subgraph server built by the kit; undefined for any other server. */
export function inProcessSubgraphOf(server: Server): InProcessSubgraph | undefined {
  return inProcessByServer.get(server);
}
