import { createDatabase } from '@switchyard/db';
import { createApiKeyLastUsedRecorder, createDatabaseApiKeyResolver, subscribeApiKeyEviction } from '@switchyard/identity/api-keys';
import { createInProcessBus, createRedisBus } from '@switchyard/bus';
import {
  createAccessTokenVerifier,
  createCachedMembershipDirectory,
  createInternalTokenSigner,
  importInternalPrivateKey,
  subscribeMembershipEviction,
} from '@switchyard/identity';
import { attachHttpDrain } from '@switchyard/subgraph-kit/drain';
import { disableApolloTelemetry, loadConfig } from './config';
import { createConsoleLogger } from './logger';
import { createSupergraphServer } from './supergraph-server';
import { registerTracing, tracingConfigOf } from '@switchyard/tracing';
import { subscriptionLimitsFromEnv } from './subscriptions/subscription-limits';

/** Standalone gateway process: `npm start -w @switchyard/supergraph`. */
disableApolloTelemetry();
const config = loadConfig();
const logger = createConsoleLogger('supergraph');
// Before the gateway exists: one provider per process, off (sending nothing) without an OTLP endpoint.
const tracing = registerTracing(tracingConfigOf(config), { serviceName: 'switchyard-gateway' });

const bus = config.REDIS_URL ? createRedisBus(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX }) : createInProcessBus();
if (!config.REDIS_URL) logger.warn({}, 'REDIS_URL is not set: subscriptions only see events published in this process');

// With the platform's database: people's tenant and role from members, admin-scoped API keys, both
// evicted on the bus when they change, and keys' last use recorded off the request path.
const db = config.DATABASE_URL ? await createDatabase({ url: config.DATABASE_URL, tenantUrl: config.DATABASE_TENANT_URL }) : undefined;
if (!db) logger.warn({}, 'DATABASE_URL is not set: tenant and role come from token claims, and API keys are refused');
const memberships = db ? createCachedMembershipDirectory(db) : undefined;
const unsubscribeMembers = memberships ? await subscribeMembershipEviction(bus, memberships) : undefined;
const apiKeys = db ? createDatabaseApiKeyResolver(db) : undefined;
const unsubscribeKeys = apiKeys ? await subscribeApiKeyEviction(bus, apiKeys) : undefined;
const apiKeyLastUsed = db ? createApiKeyLastUsedRecorder(db, { onError: (error) => logger.warn({ err: error }, 'API key last use not recorded yet; retrying') }) : undefined;

const app = createSupergraphServer({
  subgraphs: { tenants: config.TENANTS_SUBGRAPH_URL, cost: config.COST_SUBGRAPH_URL, dp: config.DP_SUBGRAPH_URL, audit: config.AUDIT_SUBGRAPH_URL, policy: config.POLICY_SUBGRAPH_URL, experiments: config.EXPERIMENTS_SUBGRAPH_URL, slo: config.SLO_SUBGRAPH_URL, memory: config.MEMORY_SUBGRAPH_URL },
  signer: createInternalTokenSigner(await importInternalPrivateKey(config.INTERNAL_TOKEN_PRIVATE_JWK as Parameters<typeof importInternalPrivateKey>[0])),
  verifyAccessToken: createAccessTokenVerifier({
    issuer: config.OIDC_ISSUER,
    audience: config.OIDC_AUDIENCE,
    // As `npm start` does: a verified token is remembered until its expiry (at most 5 min), so the
    // credential check before every subscription push is a lookup, not a signature check.
    verifiedCacheSize: 10_000,
    ...(config.OIDC_JWKS_URI ? { jwksUri: config.OIDC_JWKS_URI } : {}),
  }),
  ...(memberships ? { memberships } : {}),
  ...(apiKeys ? { apiKeys } : {}),
  ...(apiKeyLastUsed ? { onApiKeyUsed: (id: string) => apiKeyLastUsed.record(id) } : {}),
  bus,
  corsOrigins: config.CORS_ORIGINS,
  introspection: config.GRAPHQL_INTROSPECTION,
  logger,
  persistedQueries: { mode: config.PERSISTED_QUERIES, requiredClients: config.PERSISTED_QUERY_CLIENTS },
  subscriptionLimits: subscriptionLimitsFromEnv(config),
});
await app.ready;
// Attached before it listens, so every request is counted; SIGTERM drains through it.
const drain = attachHttpDrain(app.server);
await new Promise<void>((resolve, reject) => {
  app.server.once('error', reject);
  app.server.listen(config.SUPERGRAPH_PORT, config.SUPERGRAPH_HOST, resolve);
});
logger.info({ url: `http://${config.SUPERGRAPH_HOST}:${config.SUPERGRAPH_PORT}/graphql` }, 'supergraph listening');

const shutdown = async (graceMs: number) => {
  const { timedOut } = await drain.drain({ graceMs, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  if (timedOut) logger.warn({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'requests still in flight after the shutdown timeout were cut');
  // Then subscriptions (WebSockets) end, and the last uses of API keys are written.
  await app.close();
  await unsubscribeMembers?.();
  await unsubscribeKeys?.();
  await apiKeyLastUsed?.close();
  await bus.close();
  await db?.close();
  await tracing.shutdown();
};
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second signal, or a drain 10 s past its bound, exits at once.
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal, graceMs: config.SHUTDOWN_GRACE_MS, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'draining: readiness off, new requests refused after the grace');
    setTimeout(() => process.exit(1), config.SHUTDOWN_GRACE_MS + config.SHUTDOWN_TIMEOUT_MS + 10_000).unref();
    // Ctrl-C: no load balancer to wait for.
    shutdown(signal === 'SIGINT' ? 0 : config.SHUTDOWN_GRACE_MS).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
