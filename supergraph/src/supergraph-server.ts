import { createServer, type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Bus } from '@switchyard/bus';
import type { ApiKeyResolver } from '@switchyard/identity/api-keys';
import { answerGraphQLClientErrors } from '@switchyard/subgraph-kit/client-errors';
import { GATEWAY_ERRORS } from '@switchyard/subgraph-kit/errors';
import type { InternalTokenSigner, MembershipDirectory, Principal } from '@switchyard/identity';
import { buildSchema, type FormattedExecutionResult } from 'graphql';
import { readFileSync } from 'node:fs';
import { API_SCHEMA_FILE } from './compose/artifacts';
import type { GatewayContext } from './gateway/context';
import { createGateway } from './gateway/create-gateway';
import { createSubgraphFetcher } from './gateway/subgraph-fetcher';
import type { InProcessSubgraph } from '@switchyard/subgraph-kit/in-process';
import { OPERATION_LIMITS, createArmor } from './hardening/limits';
import { createErrorFormatter } from './hardening/format-error';
import { refuseSubscriptionsOverHttp } from './hardening/refuse-subscriptions-over-http';
import { requireResolvedOperation } from './hardening/require-resolved-operation';
import { createCallerAuthenticator } from './http/caller-authenticator';
import { GRAPHQL_PATH, createGraphQLHttpHandler, toRequestListener } from './http/graphql-http-handler';
import { createConsoleLogger, type Logger } from './logger';
import { readPersistedManifest } from './persisted/persisted-manifest';
import type { PersistedManifest } from './persisted/persisted-manifest';
import type { PersistedQueryMode } from './persisted/persisted-query-gate';
import { readSupergraphSdl } from './supergraph-sdl';
import { createChannelHub } from './subscriptions/channel-hub';
import { attachSubscriptionServer, type RunQuery } from './subscriptions/subscription-server';
import { startServerSpan } from '@switchyard/tracing/http';
import type { SubscriptionLimits } from './subscriptions/subscription-limits';

export interface SupergraphServerOptions {
  /** URL of each subgraph's `/graphql`, by subgraph name. */
  subgraphs: { tenants: string; cost: string; dp?: string; audit?: string; policy?: string; experiments?: string; slo?: string; memory?: string };
  /**
   * Subgraphs served by this same process (`npm start`), by name: the gateway hands their calls over
   * in process (same token, same handling) instead of over loopback HTTP. Their URL is still needed.
   */
  inProcessSubgraphs?: Readonly<Partial<Record<keyof SupergraphServerOptions['subgraphs'], InProcessSubgraph>>>;
  /** Signs the internal token each subgraph call carries. */
  signer: InternalTokenSigner;
  /** Verifies the caller's OIDC access token (see `createAccessTokenVerifier`). */
  verifyAccessToken: (token: string) => Promise<Principal>;
  /**
   * Members by subject/email (`createCachedMembershipDirectory`): a signed-in person's tenant and
   * role come from it. Absent: the token's own `tid` and `roles` claims are trusted.
   */
  memberships?: MembershipDirectory;
  /** Accept `Bearer sk-sy-…` API keys with admin:read / admin:write (evict through the bus as the data plane does). */
  apiKeys?: ApiKeyResolver;
  /** Told about every API key that authenticated, to record its last use off the request path. */
  onApiKeyUsed?: (apiKeyId: string) => void;
  /** Where key-only change events arrive (subscriptions). */
  bus: Bus;
  /** Browser origins allowed to call the API, e.g. the console `http://127.0.0.1:3000`. */
  corsOrigins: string[];
  introspection: boolean;
  logger?: Logger;
  /** Default: the committed supergraph.graphql. */
  supergraphSdl?: string;
  /**
   * The persisted-operation allowlist. Default: mode `allow` over the committed
   * persisted-operations.json, with `switchyard-console` as the client that `require` pins.
   */
  persistedQueries?: { mode: PersistedQueryMode; requiredClients?: readonly string[]; manifest?: PersistedManifest };
  /** graphql-ws sockets and subscriptions per principal (default 10 and 100; SUBSCRIPTIONS_MAX_* variables). */
  subscriptionLimits?: SubscriptionLimits;
}

export interface SupergraphServer {
  /** Not listening: the caller picks host and port. Serves `/graphql` over HTTP and WebSocket, `/healthz` and `/readyz`. */
  server: Server;
  /** Resolves once the gateway has loaded the supergraph (requests before that get 503). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * The admin-plane entry point (DESIGN.md §4): Apollo gateway over the subgraphs, hardened Apollo
 * Server on node http, and graphql-ws subscriptions fed by the bus. Does not listen.
 */
/** The console names itself with `apollographql-client-name: switchyard-console`. */
export const DEFAULT_PERSISTED_QUERY_CLIENT = 'switchyard-console';

export function createSupergraphServer(options: SupergraphServerOptions): SupergraphServer {
  const logger = options.logger ?? createConsoleLogger('supergraph');
  const authenticateCaller = createCallerAuthenticator({
    verifyAccessToken: options.verifyAccessToken,
    ...(options.memberships ? { memberships: options.memberships } : {}),
    ...(options.apiKeys ? { apiKeys: options.apiKeys } : {}),
    ...(options.onApiKeyUsed ? { onApiKeyUsed: options.onApiKeyUsed } : {}),
  });
  const subgraphFetcher = createSubgraphFetcher();
  const gateway = createGateway({ supergraphSdl: options.supergraphSdl ?? readSupergraphSdl(), subgraphUrls: options.subgraphs, signer: options.signer,
    fetcher: subgraphFetcher.fetcher,
    ...(options.inProcessSubgraphs ? { inProcessSubgraphs: options.inProcessSubgraphs } : {}),
  });
  const armor = createArmor();
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: options.introspection,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    // Hashes are resolved from the committed allowlist before Apollo; its register-on-miss cache would bypass it.
    persistedQueries: false,
    formatError: createErrorFormatter(logger),
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: OPERATION_LIMITS.maxTokens },
    plugins: [...armor.plugins, ApolloServerPluginLandingPageDisabled(), requireResolvedOperation<GatewayContext>(), refuseSubscriptionsOverHttp<GatewayContext>()],
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: unknown) => logger.warn({ detail: String(message) }, 'apollo'),
      error: (message: unknown) => logger.error({ detail: String(message) }, 'apollo'),
    },
  });

  let started = false;
  const ready = apollo.start().then(() => {
    started = true;
  });
  ready.catch((error: unknown) => logger.error({ err: error instanceof Error ? error.stack : String(error) }, 'gateway failed to start'));

  const listener = toRequestListener(
    createGraphQLHttpHandler({
      apollo,
      ready: () => started,
      verifyAccessToken: authenticateCaller,
      corsOrigins: options.corsOrigins,
      logger,
      persistedQueries: {
        mode: options.persistedQueries?.mode ?? 'allow',
        manifest: options.persistedQueries?.manifest ?? readPersistedManifest(),
        requiredClients: new Set(options.persistedQueries?.requiredClients ?? [DEFAULT_PERSISTED_QUERY_CLIENT]),
      },
    }),
    logger,
  );
  // One server span per request (continuing a client's traceparent); the gateway's own spans (plan, fetch) nest under it.
  const server = createServer((req, res) => startServerSpan('@switchyard/supergraph', req, res, GRAPHQL_PATH).run(() => listener(req, res)));

  // Oversized headers, malformed request lines: a GraphQL-shaped error body (the gateway's registry), not Node's empty one.
  answerGraphQLClientErrors(server, GATEWAY_ERRORS.definitions);

  const runQuery: RunQuery = async (plan, principal) => {
    await ready;
    const response = await apollo.executeOperation<Record<string, unknown>>(
      { query: plan.queryText, variables: plan.variables, ...(plan.operationName ? { operationName: plan.operationName } : {}) },
      { contextValue: { principal } },
    );
    if (response.body.kind !== 'single') throw new Error('incremental delivery is not used by subscriptions');
    return response.body.singleResult as FormattedExecutionResult;
  };

  const hub = createChannelHub(options.bus, logger);
  const subscriptions = attachSubscriptionServer({
    httpServer: server,
    path: GRAPHQL_PATH,
    apiSchema: buildSchema(readFileSync(API_SCHEMA_FILE, 'utf8')),
    validationRules: armor.validationRules,
    verifyAccessToken: authenticateCaller,
    hub,
    runQuery,
    allowedOrigins: new Set(options.corsOrigins),
    logger,
    ...(options.subscriptionLimits ? { limits: options.subscriptionLimits } : {}),
  });

  return {
    server,
    ready,
    async close() {
      await subscriptions.close();
      await hub.close();
      await apollo.stop().catch(() => undefined);
      subgraphFetcher.close();
      if (server.listening) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
