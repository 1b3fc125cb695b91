import type { AddressInfo } from 'node:net';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { createAccessTokenVerifier, createInternalTokenSigner, generateInternalKeyPair, SWITCHYARD_API_RESOURCE, type Principal } from '@switchyard/identity';
import type { TestIssuer } from '@switchyard/identity/testing';
import { silentLogger } from '../logger';
import { createSupergraphServer, type SupergraphServer, type SupergraphServerOptions } from '../supergraph-server';
import { startStandIns, type StandIns } from './stand-in-subgraphs';

export interface GatewayUnderTest {
  url: string;
  wsUrl: string;
  standIns: StandIns;
  app: SupergraphServer;
  close(): Promise<void>;
}

export const CONSOLE_ORIGIN = 'http://127.0.0.1:3000';

/** Stand-in subgraphs + the real gateway on a free port, verifying tokens of `issuer`. */
export async function startGatewayUnderTest(
  issuer: TestIssuer,
  options: { bus?: Bus; introspection?: boolean; verifyAccessToken?: (token: string) => Promise<Principal>; subgraphUrls?: Partial<StandIns['urls']>;
    persistedQueries?: SupergraphServerOptions['persistedQueries'];
    subscriptionLimits?: SupergraphServerOptions['subscriptionLimits'];
    logger?: SupergraphServerOptions['logger'];
  } = {},
): Promise<GatewayUnderTest> {
  const keys = await generateInternalKeyPair();
  const standIns = await startStandIns(keys);
  const bus = options.bus ?? createInProcessBus();
  const app = createSupergraphServer({
    subgraphs: { ...standIns.urls, ...options.subgraphUrls },
    signer: createInternalTokenSigner(keys.privateKey),
    verifyAccessToken: options.verifyAccessToken ?? createAccessTokenVerifier({ issuer: issuer.issuer, audience: SWITCHYARD_API_RESOURCE }),
    bus,
    corsOrigins: [CONSOLE_ORIGIN],
    introspection: options.introspection ?? false,
    logger: options.logger ?? silentLogger,
    ...(options.persistedQueries ? { persistedQueries: options.persistedQueries } : {}),
    ...(options.subscriptionLimits ? { subscriptionLimits: options.subscriptionLimits } : {}),
  });
  await app.ready;
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    standIns,
    app,
    async close() {
      await app.close();
      await standIns.close();
      if (!options.bus) await bus.close();
    },
  };
}

export interface GraphQLResponse {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

export async function postGraphQL(url: string, body: unknown, options: { token?: string; headers?: Record<string, string> } = {}): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as GraphQLResponse['body'] };
}
