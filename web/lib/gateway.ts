import { getConfig } from './config';
import { ConsoleErrorCode, type Outcome } from './console-error';
import { interpretGraphQLResponse } from './graphql-response';
import type { Operation } from './operations';

const GATEWAY_TIMEOUT_MS = 15_000;

export interface GatewayReply {
  status: number;
  body: unknown;
}

/** Posts a GraphQL request to the gateway with the caller's bearer token. Server-side only. */
export async function postToGateway(payload: unknown, accessToken: string): Promise<GatewayReply | undefined> {
  let response: Response;
  try {
    response = await fetch(getConfig().gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${accessToken}`,
        // Names the console to the gateway: with PERSISTED_QUERIES=require it may send only the
        // operations in supergraph/persisted-operations.json (generated from CONSOLE_OPERATIONS).
        'apollographql-client-name': 'switchyard-console',
      },
      body: JSON.stringify(payload),
      cache: 'no-store',
      signal: AbortSignal.timeout(GATEWAY_TIMEOUT_MS),
    });
  } catch {
    return undefined;
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

/** Runs one console operation against the gateway (server components). */
export async function executeOperation<TData, TVariables>(
  operation: Operation<TData, TVariables>,
  variables: TVariables,
  accessToken: string,
): Promise<Outcome<TData>> {
  const reply = await postToGateway(
    { query: operation.document, variables, operationName: operation.name },
    accessToken,
  );
  if (!reply) {
    return {
      ok: false,
      error: { code: ConsoleErrorCode.gatewayUnavailable, message: `Could not reach the API at ${getConfig().gatewayUrl}.` },
    };
  }
  return interpretGraphQLResponse(reply.status, reply.body, operation.data);
}
