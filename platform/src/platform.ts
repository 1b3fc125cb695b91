import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Server } from 'node:http';
import { createDatabase, seed, type Database } from '@switchyard/db';
import { createInProcessBus, createRedisBus, type Bus } from '@switchyard/data-plane/bus';
import { createInProcessRateLimiter, createRedisRateLimiter, type RateLimiter } from '@switchyard/data-plane/rate-limit';
import { createDataPlane } from '@switchyard/data-plane/app';
import { createRedisFeedbackLog } from '@switchyard/data-plane/feedback-log';
import { limitsFromEnv } from '@switchyard/data-plane/limits-env';
import { createDatabaseRouteTable, parseRoutes } from '@switchyard/data-plane/routes';
import { createDatabaseApiKeyResolver, subscribeApiKeyEviction } from '@switchyard/data-plane/api-keys';
import { createApiKeyLastUsedRecorder } from '@switchyard/data-plane/api-key-last-used';
import { DEFAULT_TOKEN_SCOPE_MAP } from '@switchyard/data-plane/app';
import { createDatabasePriceBookSource } from '@switchyard/data-plane/price-book';
import {
  createAccessTokenClaimsVerifier,
  createAccessTokenVerifier,
  createCachedMembershipDirectory,
  createInternalTokenSigner,
  subscribeMembershipEviction,
  createInternalTokenVerifier,
  startOidcIssuer,
} from '@switchyard/identity';
import { createTenantsService, createTenantsSubgraph, quotaDefaultsOf } from '@switchyard/subgraph-tenants';
import { createCostSubgraph, startUsageConsumer } from '@switchyard/subgraph-cost';
import { createDpSubgraph } from '@switchyard/subgraph-dp';
import { createAuditSubgraph, openAuditLedger, startAuditConsumer } from '@switchyard/subgraph-audit';
import { createPolicySubgraph } from '@switchyard/subgraph-policy';
import { createExperimentsSubgraph, createPriceBookModelCatalog } from '@switchyard/subgraph-experiments';
import { createBufferedDecisionLog, createDatabaseActivePolicySource, createDatabaseDecisionLogWriter, createPolicyDecisionPoint } from '@switchyard/data-plane/pdp';
import { createSupergraphServer } from '@switchyard/supergraph';
import { COMPONENTS, type Component, type PlatformEnv } from './config';
import { listen } from './listen';
import { loadOrCreateInternalKeys } from './internal-keys';
import { loadOrCreateMasterKeyring } from './master-keys';
import { createLocalKms } from '@switchyard/identity/envelope';
import { createSecretVault, rotateMasterKey } from '@switchyard/db/secret-vault';
import { createTenantCredentialCache } from '@switchyard/data-plane/provider-credentials';
import { createDatabaseTenantSettingsSource, createTenantSettingsCache } from '@switchyard/data-plane/tenant-settings';
import { buildConsole, consoleIsBuilt, startConsole } from './console-process';
import { claimOperatorSocketForPlatform, operatorSocketPath } from './operator-socket';
import { loadOrCreateConsoleSessionSecret } from './console-session-secret';
import { createDemoKeyIfFresh } from './demo-seed';
import { demoRoutesFor } from './demo-routes';

export const API_AUDIENCE = 'urn:switchyard:api';
export const CONSOLE_CLIENT_ID = 'switchyard-console';

export interface RunningPlatform {
  urls: {
    console: string;
    graphql: string;
    openaiBaseUrl: string;
    oidcIssuer: string;
    tenantsSubgraph: string;
    costSubgraph: string;
    dpSubgraph: string;
    auditSubgraph: string;
    policySubgraph: string;
    experimentsSubgraph: string;
  };
  /** Names of the platform's configured routes (every tenant may send them as `model`). */
  platformRoutes: string[];
  /** `null`: no component of this start needed a database, so none was opened. */
  backends: { database: 'postgres' | 'pglite' | null; bus: 'redis' | 'in-process' };
  /** The components this start runs (what the banner lists). */
  components: ReadonlySet<Component>;
  /** Set only when this start created the demo tenant's first key (fresh data). */
  demoApiKey: string | null;
  close(): Promise<void>;
}

export interface StartOptions {
  env: PlatformEnv;
  /** Progress lines for a person watching (stderr by default). */
  progress?: (line: string) => void;
}

/** Starts the selected components in this process, wired to the configured backends. */
export async function startPlatform({ env, progress = (line) => process.stderr.write(`${line}\n`) }: StartOptions): Promise<RunningPlatform> {
  const has = (component: Component) => env.SWITCHYARD_COMPONENTS.has(component);
  const host = env.SWITCHYARD_HOST;
  const url = (port: number) => `http://${host}:${port}`;
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closeOne of closers.reverse()) await closeOne().catch(() => undefined);
  };
  const needsDatabase = has('tenants') || has('cost') || has('dp') || has('audit') || has('policy') || has('experiments') || has('data-plane') || has('gateway');

  // The embedded database's lock, taken before anything opens the data dir: a second start on it is
  // refused here, naming the holder (an operator command is waited for). Closed last, after the database.
  const operatorSocket = needsDatabase && !env.DATABASE_URL ? await claimOperatorSocketForPlatform({ socketPath: operatorSocketPath(env.SWITCHYARD_DATA_DIR), progress }) : null;
  if (operatorSocket) closers.push(() => operatorSocket.close());

  try {
    await mkdir(env.SWITCHYARD_DATA_DIR, { recursive: true });
    const oidcIssuer = env.OIDC_ISSUER ?? url(env.OIDC_PORT);
    const urls = {
      console: url(env.CONSOLE_PORT),
      graphql: `${url(env.SUPERGRAPH_PORT)}/graphql`,
      openaiBaseUrl: `${url(env.DATA_PLANE_PORT)}/v1`,
      oidcIssuer,
      tenantsSubgraph: `${url(env.TENANTS_SUBGRAPH_PORT)}/graphql`,
      costSubgraph: `${url(env.COST_SUBGRAPH_PORT)}/graphql`,
      dpSubgraph: `${url(env.DP_SUBGRAPH_PORT)}/graphql`,
      auditSubgraph: `${url(env.AUDIT_SUBGRAPH_PORT)}/graphql`,
      policySubgraph: `${url(env.POLICY_SUBGRAPH_PORT)}/graphql`,
      experimentsSubgraph: `${url(env.EXPERIMENTS_SUBGRAPH_PORT)}/graphql`,
    };
    // Validated before anything starts: every problem is listed and nothing listens.
    const platformRoutes = parseRoutes(env.DATA_PLANE_ROUTES ?? demoRoutesFor(env.DATA_PLANE_PROVIDERS));

    let db: Database | null = null;
    if (needsDatabase) {
      progress(env.DATABASE_URL ? 'database: Postgres (DATABASE_URL)' : `database: embedded PGlite in ${path.join(env.SWITCHYARD_DATA_DIR, 'pglite')}`);
      const opened = env.DATABASE_URL
        ? await createDatabase({ url: env.DATABASE_URL })
        : await createDatabase({ dataDir: path.join(env.SWITCHYARD_DATA_DIR, 'pglite') });
      db = opened;
      closers.push(() => opened.close());
      progress('database: applying migrations');
      await opened.migrate();
    }

    const bus: Bus = env.REDIS_URL ? createRedisBus(env.REDIS_URL, { keyPrefix: env.REDIS_KEY_PREFIX }) : createInProcessBus();
    closers.push(() => bus.close());
    const rateLimiter: RateLimiter = env.REDIS_URL ? createRedisRateLimiter(env.REDIS_URL, { keyPrefix: env.REDIS_KEY_PREFIX }) : createInProcessRateLimiter();
    closers.push(() => rateLimiter.close());
    progress(`bus and limits: ${env.REDIS_URL ? 'Redis (REDIS_URL)' : 'in-process'}`);

    let demoApiKey: string | null = null;
    if (db && has('tenants')) {
      const { demoTenantId } = await seed(db);
      demoApiKey = await createDemoKeyIfFresh(createTenantsService({ db, bus }), demoTenantId);
    }

    const keys = await loadOrCreateInternalKeys(env.SWITCHYARD_DATA_DIR);
    // Tenant secrets (provider credentials, webhook secrets) sit under data keys wrapped by these.
    const masterKeys = await loadOrCreateMasterKeyring({ dataDir: env.SWITCHYARD_DATA_DIR, keys: env.SWITCHYARD_MASTER_KEYS, activeKeyId: env.SWITCHYARD_MASTER_KEY_ID });
    const kms = createLocalKms(masterKeys);
    progress(`master keys: ${masterKeys.source === 'environment' ? 'SWITCHYARD_MASTER_KEYS' : 'embedded (data dir)'}, current ${masterKeys.activeKeyId}`);

    // Operator commands need only the database, the bus and the master keys: served from here on,
    // so `npm run admin` works while the components (and the console's first build) still start.
    if (operatorSocket && db) {
      const opened = db;
      operatorSocket.serve({
        tenants: createTenantsService({ db: opened, bus }),
        rotateMasterKey: (batchSize, onProgress) => rotateMasterKey({ db: opened, kms, batchSize, onProgress }),
      });
    }

    // Identity shared by the gateway and the data plane: members by subject/email (cached, cleared on
    // member.changed), and API keys' last use (coalesced per key per minute, written in batches).
    const memberships = db ? createCachedMembershipDirectory(db) : undefined;
    if (memberships) closers.push(await subscribeMembershipEviction(bus, memberships));
    const apiKeyLastUsed = db
      ? createApiKeyLastUsedRecorder(db, { onError: (error) => progress(`api keys: last use not recorded yet (${error instanceof Error ? error.message : String(error)}); retrying`) })
      : undefined;
    if (apiKeyLastUsed) closers.push(() => apiKeyLastUsed.close());

    if (has('oidc')) {
      const issuer = await startOidcIssuer({
        host,
        port: env.OIDC_PORT,
        issuer: oidcIssuer,
        dataDir: path.join(env.SWITCHYARD_DATA_DIR, 'oidc'),
        consoleRedirectUris: [`${urls.console}/auth/callback`],
        consolePostLogoutRedirectUris: [`${urls.console}/`],
        admin: { login: env.SWITCHYARD_ADMIN_LOGIN, password: env.SWITCHYARD_ADMIN_PASSWORD, email: env.SWITCHYARD_ADMIN_EMAIL },
        extraUsers: [
          ...(env.SWITCHYARD_SECOND_ADMIN_LOGIN && env.SWITCHYARD_SECOND_ADMIN_PASSWORD
            ? [
                {
                  sub: `second-admin:${env.SWITCHYARD_SECOND_ADMIN_LOGIN}`,
                  login: env.SWITCHYARD_SECOND_ADMIN_LOGIN,
                  password: env.SWITCHYARD_SECOND_ADMIN_PASSWORD,
                  email: env.SWITCHYARD_SECOND_ADMIN_EMAIL,
                  roles: ['platform_admin' as const],
                },
              ]
            : []),
          // No platform role: the members table alone decides (roles in a token never grant tenant access).
          ...(env.SWITCHYARD_MEMBER_LOGIN && env.SWITCHYARD_MEMBER_PASSWORD
            ? [{ sub: `member:${env.SWITCHYARD_MEMBER_LOGIN}`, login: env.SWITCHYARD_MEMBER_LOGIN, password: env.SWITCHYARD_MEMBER_PASSWORD, email: env.SWITCHYARD_MEMBER_EMAIL, roles: [] }]
            : []),
        ],
      });
      closers.push(() => issuer.close());
      progress(`oidc issuer: ${oidcIssuer}`);
    }

    const serve = async (name: string, server: Server, port: number, closeApp: () => Promise<void>) => {
      closers.push(closeApp);
      await listen(server, port, host);
      closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      progress(`${name}: ${url(port)}`);
    };

    if (db && has('tenants')) {
      // Tenant admins may set quotas up to the data plane's tenant limits; above them takes a platform admin.
      const app = createTenantsSubgraph({ db, bus, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, 'subgraph:tenants'), kms, quotaDefaults: quotaDefaultsOf(limitsFromEnv(env)), alertWebhooks: true });
      await serve('tenants subgraph', app.server, env.TENANTS_SUBGRAPH_PORT, app.close);
    }
    if (db && has('cost')) {
      const app = createCostSubgraph({ db, bus, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, 'subgraph:cost') });
      await serve('cost subgraph', app.server, env.COST_SUBGRAPH_PORT, app.close);
      const consumer = startUsageConsumer({ db, bus });
      closers.push(() => consumer.stop());
    }
    if (db && has('dp')) {
      const app = createDpSubgraph({ db, bus, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, 'subgraph:dp') });
      await serve('dp subgraph (/graphql, /metrics)', app.server, env.DP_SUBGRAPH_PORT, app.close);
    }
    if (db && has('audit')) {
      // Checkpoints go to the database and <data dir>/audit-witness.jsonl; keys live in <data dir>/audit-keys.json.
      const ledger = await openAuditLedger({ db, bus, dataDir: env.SWITCHYARD_DATA_DIR });
      closers.push(() => ledger.close());
      const app = createAuditSubgraph({ ledger, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, 'subgraph:audit') });
      await serve('audit subgraph', app.server, env.AUDIT_SUBGRAPH_PORT, app.close);
      const consumer = startAuditConsumer({ ledger, bus });
      closers.push(() => consumer.stop());
    }
    if (db && has('policy')) {
      const app = createPolicySubgraph({ db, bus, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, 'subgraph:policy') });
      await serve('policy subgraph', app.server, env.POLICY_SUBGRAPH_PORT, app.close);
    }
    if (db && has('experiments')) {
      const app = createExperimentsSubgraph({
        db,
        bus,
        verifyInternalToken: createInternalTokenVerifier(keys.publicKey, 'subgraph:experiments'),
        // Tenant routes may name the price book's models and fall back to the platform's routes.
        catalog: createPriceBookModelCatalog(db, platformRoutes.map((route) => route.name)),
      });
      await serve('experiments subgraph', app.server, env.EXPERIMENTS_SUBGRAPH_PORT, app.close);
    }
    if (has('gateway')) {
      // Integrations may call with admin-scoped API keys; revocations reach this cache through the bus.
      const gatewayApiKeys = db ? createDatabaseApiKeyResolver(db) : undefined;
      if (gatewayApiKeys) closers.push(await subscribeApiKeyEviction(bus, gatewayApiKeys));
      const app = createSupergraphServer({
        subgraphs: { tenants: urls.tenantsSubgraph, cost: urls.costSubgraph, dp: urls.dpSubgraph, audit: urls.auditSubgraph, policy: urls.policySubgraph, experiments: urls.experimentsSubgraph },
        signer: createInternalTokenSigner(keys.privateKey),
        verifyAccessToken: createAccessTokenVerifier({ issuer: oidcIssuer, audience: API_AUDIENCE, verifiedCacheSize: 10_000 }),
        // A signed-in person's tenant and role come from the members table, not from token claims.
        ...(memberships ? { memberships } : {}),
        ...(gatewayApiKeys ? { apiKeys: gatewayApiKeys } : {}),
        ...(apiKeyLastUsed ? { onApiKeyUsed: (id: string) => apiKeyLastUsed.record(id) } : {}),
        bus,
        corsOrigins: [urls.console],
        introspection: false,
        persistedQueries: { mode: env.PERSISTED_QUERIES },
      });
      await serve('supergraph', app.server, env.SUPERGRAPH_PORT, app.close);
    }
    if (db && has('data-plane')) {
      const apiKeys = createDatabaseApiKeyResolver(db);
      // Revocations reach this replica's key cache through the bus, not after the cache TTL.
      const unsubscribe = await subscribeApiKeyEviction(bus, apiKeys);
      closers.push(unsubscribe);
      // Decision requests feed policy dry runs: batched off the request path, newest 1000 per tenant kept.
      // Tenant routes (experiments subgraph) over the platform's: all loaded before serving, one tenant
      // reloaded per routes.changed event, so no request waits on Postgres for a route.
      const routes = createDatabaseRouteTable({ db, defaults: platformRoutes });
      await routes.load();
      closers.push(await routes.subscribe(bus));
      const decisionLog = createBufferedDecisionLog({ writer: createDatabaseDecisionLogWriter(db, 1000) });
      closers.push(() => decisionLog.close());
      // Tenants' own provider keys, decrypted into this replica's memory before serving and reloaded
      // per tenant on provider-credentials.changed: no request reads Postgres for a credential.
      const credentials = createTenantCredentialCache({
        source: createSecretVault({ db, kms }),
        onReloadError: (tenantId, error, attempt) =>
          progress(`data plane: provider credentials of tenant ${tenantId} not reloaded (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}`),
      });
      closers.push(await credentials.subscribe(bus));
      await credentials.loadAll();
      // Allowed regions, default classification and quotas per tenant: loaded before serving,
      // reloaded per tenant on tenant-settings.changed.
      const tenantSettings = createTenantSettingsCache({
        source: createDatabaseTenantSettingsSource(db),
        onReloadError: (tenantId, error, attempt) =>
          progress(`data plane: settings of tenant ${tenantId} not reloaded (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}`),
      });
      closers.push(await tenantSettings.subscribe(bus));
      await tenantSettings.loadAll();
      // Which replica served which request, shared through Redis so POST /v1/feedback may reach any replica.
      const feedbackLog = env.REDIS_URL ? createRedisFeedbackLog(env.REDIS_URL, { keyPrefix: env.REDIS_KEY_PREFIX }) : undefined;
      if (feedbackLog) closers.push(() => feedbackLog.close());
      const app = createDataPlane({
        apiKeys,
        priceBook: createDatabasePriceBookSource(db),
        bus,
        rateLimiter,
        // The same DATA_PLANE_* limit variables as the standalone data plane.
        limits: limitsFromEnv(env),
        providers: env.DATA_PLANE_PROVIDERS,
        routes,
        policy: createPolicyDecisionPoint({ source: createDatabaseActivePolicySource(db), log: decisionLog }),
        providerCredentials: credentials,
        tenantSettings,
        ...(feedbackLog ? { feedbackLog } : {}),
        // People may call with their OIDC access token (scope `inference`); the tenant comes from members.
        accessTokens: { verify: createAccessTokenClaimsVerifier({ issuer: oidcIssuer, audience: API_AUDIENCE, verifiedCacheSize: 10_000 }), ...(memberships ? { memberships } : {}), scopeMap: DEFAULT_TOKEN_SCOPE_MAP },
        ...(apiKeyLastUsed ? { apiKeyLastUsed } : {}),
      });
      await serve('data plane', app.server, env.DATA_PLANE_PORT, app.close);
    }
    if (has('console')) {
      if (!consoleIsBuilt()) {
        progress('console: first start, building the Next.js app (a few minutes on 2 cores)…');
        await buildConsole();
      }
      const running = await startConsole({
        host,
        port: env.CONSOLE_PORT,
        env: {
          OIDC_ISSUER: oidcIssuer,
          OIDC_CLIENT_ID: CONSOLE_CLIENT_ID,
          SWITCHYARD_CONSOLE_URL: urls.console,
          SWITCHYARD_GATEWAY_URL: urls.graphql,
          SWITCHYARD_OPENAI_BASE_URL: urls.openaiBaseUrl,
          SWITCHYARD_SESSION_SECRET: await loadOrCreateConsoleSessionSecret(env.SWITCHYARD_DATA_DIR),
        },
      });
      closers.push(() => running.stop());
      progress(`console: ${urls.console}`);
    }

    return {
      urls,
      backends: { database: db ? (env.DATABASE_URL ? 'postgres' : 'pglite') : null, bus: env.REDIS_URL ? 'redis' : 'in-process' },
      // Every selected component has started by now (a failure throws), in COMPONENTS order.
      components: new Set(COMPONENTS.filter(has)),
      platformRoutes: platformRoutes.map((route) => route.name),
      demoApiKey,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
