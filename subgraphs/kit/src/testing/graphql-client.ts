import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InternalTokenSigner, Principal } from '@switchyard/identity';

/** An HTTP status and the parsed GraphQL body; `TError` narrows what tests read from errors. */
export interface GraphQLReply<TError = { message: string; path?: (string | number)[]; extensions?: { code?: string } }> {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: TError[] };
}

export interface GraphQLRequestOptions {
  /** Defaults to a token for the principal with the subgraph's audience; `null` sends no authorization header. */
  token?: string | null;
}

export type GraphQLRequest<TReply> = (
  principal: Principal | null,
  query: string,
  variables?: Record<string, unknown>,
  options?: GraphQLRequestOptions,
) => Promise<TReply>;

/** Starts `server` on 127.0.0.1 at a free port and returns its GraphQL URL. */
export async function listenOnLoopback(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

/** POSTs GraphQL to `url` as the gateway would: with an internal token for the principal and `audience`. */
export function createGraphQLRequest<TReply extends GraphQLReply<unknown> = GraphQLReply>(url: string, signer: InternalTokenSigner, audience: string): GraphQLRequest<TReply> {
  return async (principal, query, variables = {}, options = {}) => {
    const token = options.token !== undefined ? options.token : principal ? await signer.sign(principal, audience) : null;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as TReply['body'] } as TReply;
  };
}
