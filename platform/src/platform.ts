import { attachHttpDrain, type DrainOptions } from '@switchyard/subgraph-kit/drain';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Server } from 'node:http';
import { pino } from 'pino';
import { seed, type Database } from '@switchyard/db';
import { composeDataPlane, databaseStores, loadMasterKeyring, openDatabase, openSharedState, type SharedState } from '@switchyard/data-plane/composition';
import type { DataPlaneConfig } from '@switchyard/data-plane/config';
import { createApiKeyLastUsedRecorder, createDatabaseApiKeyResolver, subscribeApiKeyEviction } from '@switchyard/identity/api-keys';
import {
  createAccessTokenVerifier,
  createCachedMembershipDirectory,
  createInternalTokenSigner,
  createInternalTokenVerifier,
  startOidcIssuer,
  subscribeMembershipEviction,
  type InternalKeyPair,
} from '@switchyard/identity';
import { createLocalKms, type KeyManagementService, type MasterKeyring } from '@switchyard/identity/envelope';
import { createTenantsService, quotaDefaultsOf, startTenantsSubgraph, staticPeopleDirectory } from '@switchyard/subgraph-tenants';
import { startCostSubgraph } from '@switchyard/subgraph-cost';
import { startSloSubgraph } from '@switchyard/subgraph-slo';
import { startMemorySubgraph } from '@switchyard/subgraph-memory';
import { createInMemorySliCounters, createRedisSliCounters } from '@switchyard/slo/counters';
import { startDpSubgraph } from '@switchyard/subgraph-dp';
import { startAuditSubgraph } from '@switchyard/subgraph-audit';
import { auditLedgerOptionsFromEnv } from '@switchyard/subgraph-audit/config';
import { startPolicySubgraph } from '@switchyard/subgraph-policy';
import { startExperimentsSubgraph } from '@switchyard/subgraph-experiments';
import { createSupergraphServer } from '@switchyard/supergraph';
import { composeCostOptimizer, createInProcessLease, createRedisLease, optimizerConfigFromEnv } from '@switchyard/cost-optimizer';
import { subscriptionLimitsFromEnv } from '@switchyard/supergraph/subscription-limits';
import { register as processRegistry } from 'prom-client';
import { createMetricsListener, type MetricsSource } from '@switchyard/http-edge/metrics-listener';
import { rotateMasterKey } from '@switchyard/db/secret-vault';
import { COMPONENTS, platformDataPlaneConfig, platformOidcIssuer, type Component, type PlatformEnv } from './config';
import type { StartedSubgraph } from '@switchyard/subgraph-kit/runtime';
import { inProcessSubgraphOf, type InProcessSubgraph } from '@switchyard/subgraph-kit/in-process';
import { listen } from './listen';
import { loadOrCreateInternalKeys } from './internal-keys';
import { buildConsole, consoleIsBuilt, startConsole } from './console-process';
import { claimOperatorSocketForPlatform, operatorSocketPath } from './operator-socket';
import { loadOrCreateConsoleSessionSecret } from './console-session-secret';
import { registerTracing } from '@switchyard/tracing';
import { createDemoKeyIfFresh } from './demo-seed';
import { bundledIssuerExtraUsers, bundledIssuerPeople } from './demo-accounts';

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
    sloSubgraph: string;
    memorySubgraph: string;
  };
  /** The operator metrics listener (METRICS_HOST:METRICS_PORT), serving every started component's metrics; null when none has any. */
  metricsUrl: string | null;
  /** Names of the platform's configured routes (every tenant may send them as `model`). */
  platformRoutes: string[];
  backends: { database: 'postgres' | 'pglite' | null; bus: 'redis' | 'in-process' };
  /** The components this start runs (what the banner lists). */
  components: ReadonlySet<Component>;
  /** Set only when this start created the demo tenant's first key (fresh data). */
  demoApiKey: string | null;
  close(): Promise<void>;
  /**
   * SIGTERM: drains every server at once (readiness off, `Connection: close`, new requests refused
   * after `graceMs`, in-flight requests and streams given `timeoutMs`), then close() (consumers finish
   * their round, usage and audit events are flushed, backends close).
   */
  shutdown(options: DrainOptions): Promise<void>;
}

export interface StartOptions {
  env: PlatformEnv;
  /** Progress lines for a person watching (stderr by default). */
  progress?: (line: string) => void;
}

/** Opened once per start, only when a selected component needs it; components share them. */
interface Shared {
  database: Database;
  internalKeys: InternalKeyPair;
  masterKeys: { keyring: MasterKeyring; kms: KeyManagementService };
}
type SharedNeed = keyof Shared;

/** What a component's start function is given. */
interface ComponentContext {
  env: PlatformEnv;
  host: string;
  urls: RunningPlatform['urls'];
  /** The data plane's configuration (also what the experiments subgraph's platform routes come from). */
  dataPlane: DataPlaneConfig;
  /** Bus, rate limiter and feedback log (Redis or in-process), shared by every component. */
  sharedState: SharedState;
  /** A shared backend this component declared in `needs`. */
  need<K extends SharedNeed>(what: K): Shared[K];
  progress(line: string): void;
  /** Listens on the component's port (closing `app` if it cannot); the progress line names it and its URL. */
  serve(name: string, app: ServedApp, port: number, host?: string): Promise<void>;
  /** Adds the component's metrics to the one operator metrics listener (never its public port). */
  exposeMetrics(source: MetricsSource): void;
  /**
   * The subgraphs started in this process so far, by name: the gateway calls them in process (same
   * token verification, context and error handling, no socket). Their ports still serve HTTP.
   */
  inProcessSubgraphs: Partial<Record<SubgraphName, InProcessSubgraph>>;
}

type SubgraphName = 'tenants' | 'cost' | 'dp' | 'audit' | 'policy' | 'experiments' | 'slo' | 'memory';

/** Something with a server that its own close() stops, with whatever runs beside it. */
interface ServedApp {
  server: Server;
  close(): Promise<void>;
  /** Its own drain (the data plane's); otherwise attachHttpDrain's. */
  drain?(options: DrainOptions): Promise<{ timedOut: boolean }>;
}

interface ComponentEntry {
  name: Component;
  needs: readonly SharedNeed[];
  /** Starts the component; what it returns stops everything it started (its server included). */
  start(context: ComponentContext): Promise<{ close(): Promise<void> }>;
}

/** JSON lines on stderr (stdout carries the banner), at LOG_LEVEL. */
const logTo = (env: PlatformEnv, service: string) => pino({ level: env.LOG_LEVEL, base: { service } }, pino.destination(2));

/** What a subgraph is built from here: the shared database and bus, tokens for `subgraph:<name>`. */
function subgraphRuntime(context: ComponentContext, name: string) {
  return {
    db: context.need('database'),
    bus: context.sharedState.bus,
    verifyInternalToken: createInternalTokenVerifier(context.need('internalKeys').publicKey, `subgraph:${name}`),
    logger: logTo(context.env, `subgraph-${name}`),
    // SWITCHYARD_REGION, as the data plane reads it: the admin plane refuses writes of tenants homed elsewhere.
    region: context.dataPlane.region,
    streamClaimIdleMs: context.env.STREAM_CLAIM_IDLE_MS,
  };
}

/** A subgraph component: its runtime from the shared backends, started and served on its port. */
function subgraphComponent(
  name: SubgraphName,
  portVariable: `${Uppercase<typeof name>}_SUBGRAPH_PORT`,
  extraNeeds: readonly SharedNeed[],
  start: (runtime: ReturnType<typeof subgraphRuntime>, context: ComponentContext) => StartedSubgraph | Promise<StartedSubgraph>,
  label = `${name} subgraph`,
): ComponentEntry {
  return {
    name,
    needs: ['database', 'internalKeys', ...extraNeeds],
    async start(context) {
      const app = await start(subgraphRuntime(context, name), context);
      await context.serve(label, app, context.env[portVariable]);
      const inProcess = inProcessSubgraphOf(app.server);
      if (inProcess) context.inProcessSubgraphs[name] = inProcess;
      // Its metrics go to the one operator listener, never to its own port.
      if (app.metrics) context.exposeMetrics(app.metrics);
      return app;
    },
  };
}

/** Every component `npm start` can run, in start order; SWITCHYARD_COMPONENTS selects which. */
const COMPONENT_TABLE: readonly ComponentEntry[] = [
  {
    name: 'oidc',
    needs: [],
    async start({ env, host, urls, progress }) {
      const issuer = await startOidcIssuer({
        host,
        port: env.OIDC_PORT,
        issuer: urls.oidcIssuer,
        dataDir: path.join(env.SWITCHYARD_DATA_DIR, 'oidc'),
        consoleRedirectUris: [`${urls.console}/auth/callback`],
        consolePostLogoutRedirectUris: [`${urls.console}/`],
        admin: { login: env.SWITCHYARD_ADMIN_LOGIN, password: env.SWITCHYARD_ADMIN_PASSWORD, email: env.SWITCHYARD_ADMIN_EMAIL },
        extraUsers: bundledIssuerExtraUsers(env),
      });
      progress(`oidc issuer: ${urls.oidcIssuer}`);
      return issuer;
    },
  },
  // Each subgraph runs as its own main.ts runs it (start<D>Subgraph), on the shared database and bus.
  subgraphComponent('tenants', 'TENANTS_SUBGRAPH_PORT', ['masterKeys'], (runtime, context) =>
    // Tenant admins may set quotas up to the data plane's tenant limits; above them takes a platform admin.
    startTenantsSubgraph(runtime, {
      quotaDefaults: quotaDefaultsOf(context.dataPlane.limits),
      kms: context.need('masterKeys').kms,
      webhookAllowedNetworks: context.env.ALERT_WEBHOOK_ALLOWED_CIDRS,
      // The bundled issuer is the identity provider when it runs here: members are added by its users' e-mail.
      ...(context.env.SWITCHYARD_COMPONENTS.has('oidc') ? { people: staticPeopleDirectory(bundledIssuerPeople(context.env)) } : {}),
    }),
  ),
  subgraphComponent('cost', 'COST_SUBGRAPH_PORT', [], (runtime) => startCostSubgraph(runtime)),
  subgraphComponent('dp', 'DP_SUBGRAPH_PORT', [], (runtime, context) => startDpSubgraph(runtime, { metricsTenantLabels: context.dataPlane.metrics.tenantLabels })),
  // Checkpoints go to the database and <data dir>/audit-witness.jsonl; keys live in <data dir>/audit-keys.json (or AUDIT_*).
  subgraphComponent('audit', 'AUDIT_SUBGRAPH_PORT', [], (runtime, context) => startAuditSubgraph(runtime, auditLedgerOptionsFromEnv(context.env))),
  subgraphComponent('policy', 'POLICY_SUBGRAPH_PORT', [], (runtime) => startPolicySubgraph(runtime)),
  subgraphComponent('experiments', 'EXPERIMENTS_SUBGRAPH_PORT', [], (runtime, context) =>
    startExperimentsSubgraph(runtime, { platformRouteNames: context.dataPlane.routes.map((route) => route.name) }),
  ),
  // SLI counters live where the bus lives: Redis (shared with standalone replicas) or this process.
  subgraphComponent('slo', 'SLO_SUBGRAPH_PORT', [], async (runtime, { env }) => {
    const counters = env.REDIS_URL ? createRedisSliCounters(env.REDIS_URL, { keyPrefix: env.REDIS_KEY_PREFIX }) : createInMemorySliCounters();
    const started = await startSloSubgraph(runtime, { counters, evaluationIntervalMs: env.SLO_EVALUATION_INTERVAL_MS });
    return {
      ...started,
      async close() {
        await started.close();
        if ('close' in counters) await counters.close();
      },
    };
  }),
  // The data plane's own session window (Redis, or this process's in-process one) and limits: a delete must reach what it serves from.
  subgraphComponent('memory', 'MEMORY_SUBGRAPH_PORT', [], (runtime, context) =>
    startMemorySubgraph(runtime, { fastSessions: context.sharedState.sessionWindow, limits: context.dataPlane.memory }),
  ),
  {
    name: 'gateway',
    needs: ['database', 'internalKeys'],
    async start(context) {
      const { env, urls, sharedState } = context;
      const db = context.need('database');
      const closers: Array<() => Promise<void>> = [];
      // A signed-in person's tenant and role come from the members table (cached, cleared on member.changed), not from token claims.
      const memberships = createCachedMembershipDirectory(db);
      closers.push(await subscribeMembershipEviction(sharedState.bus, memberships));
      // Integrations may call with admin-scoped API keys; revocations reach this cache through the bus.
      const apiKeys = createDatabaseApiKeyResolver(db);
      closers.push(await subscribeApiKeyEviction(sharedState.bus, apiKeys));
      // API keys' last use: coalesced per key per minute, written in batches.
      const apiKeyLastUsed = createApiKeyLastUsedRecorder(db, {
        onError: (error) => context.progress(`api keys: last use not recorded yet (${error instanceof Error ? error.message : String(error)}); retrying`),
      });
      closers.push(() => apiKeyLastUsed.close());
      const app = createSupergraphServer({
        inProcessSubgraphs: context.inProcessSubgraphs,
        subgraphs: { tenants: urls.tenantsSubgraph, cost: urls.costSubgraph, dp: urls.dpSubgraph, audit: urls.auditSubgraph, policy: urls.policySubgraph, experiments: urls.experimentsSubgraph, slo: urls.sloSubgraph, memory: urls.memorySubgraph },
        signer: createInternalTokenSigner(context.need('internalKeys').privateKey),
        verifyAccessToken: createAccessTokenVerifier({ issuer: urls.oidcIssuer, audience: API_AUDIENCE, verifiedCacheSize: 10_000 }),
        memberships,
        apiKeys,
        onApiKeyUsed: (id: string) => apiKeyLastUsed.record(id),
        bus: sharedState.bus,
        corsOrigins: [urls.console],
        introspection: false,
        persistedQueries: { mode: env.PERSISTED_QUERIES },
        subscriptionLimits: subscriptionLimitsFromEnv(env),
      });
      closers.push(app.close);
      const gateway = {
        server: app.server,
        async close() {
          for (const closeOne of closers.reverse()) await closeOne();
        },
      };
      await context.serve('supergraph', gateway, env.SUPERGRAPH_PORT);
      return gateway;
    },
  },
  {
    name: 'data-plane',
    needs: ['database', 'masterKeys'],
    async start(context) {
      // Composed exactly as the standalone data plane composes it (policies, tenant routes, tenant
      // credentials, settings, OIDC tokens), over the backends this process shares.
      const app = await composeDataPlane(context.dataPlane, {
        stores: databaseStores(context.need('database'), { kms: context.need('masterKeys').kms }),
        bus: context.sharedState.bus,
        rateLimiter: context.sharedState.rateLimiter,
        feedbackLog: context.sharedState.feedbackLog,
        sessionWindow: context.sharedState.sessionWindow,
        logger: logTo(context.env, 'data-plane'),
      });
      await context.serve('data plane', app, context.dataPlane.port, context.dataPlane.host);
      context.exposeMetrics(app.metrics);
      return app;
    },
  },
  {
    name: 'cost-optimizer',
    needs: ['database'],
    async start(context) {
      // Composed as its own process composes it (services/cost-optimizer/src/main.ts), on the shared database and bus.
      // The schedule's lease lives where the bus lives: on Redis it is shared with standalone optimizer replicas, so one of them runs each round.
      const lease = context.env.REDIS_URL ? createRedisLease(context.env.REDIS_URL, { keyPrefix: context.env.REDIS_KEY_PREFIX }) : createInProcessLease();
      const optimizer = await composeCostOptimizer(optimizerConfigFromEnv(context.env, context.dataPlane.routes, context.dataPlane.metrics.tenantLabels), {
        db: context.need('database'),
        bus: context.sharedState.bus,
        logger: logTo(context.env, 'cost-optimizer'),
        lease,
      }).catch(async (error: unknown) => {
        await lease.close();
        throw error;
      });
      context.exposeMetrics(optimizer.metrics);
      context.progress(`cost optimizer: every ${Math.round(context.env.OPTIMIZER_INTERVAL_MS / 1000)} s (one replica per round) and on demand`);
      return {
        async close() {
          await optimizer.close();
          await lease.close();
        },
      };
    },
  },
  {
    name: 'console',
    needs: [],
    async start({ env, host, urls, progress }) {
      if (!consoleIsBuilt()) {
        progress('console: first start, building the Next.js app (a few minutes on 2 cores)…');
        await buildConsole();
      }
      const running = await startConsole({
        host,
        port: env.CONSOLE_PORT,
        env: {
          OIDC_ISSUER: urls.oidcIssuer,
          OIDC_CLIENT_ID: CONSOLE_CLIENT_ID,
          SWITCHYARD_CONSOLE_URL: urls.console,
          SWITCHYARD_GATEWAY_URL: urls.graphql,
          SWITCHYARD_OPENAI_BASE_URL: urls.openaiBaseUrl,
          SWITCHYARD_SESSION_SECRET: await loadOrCreateConsoleSessionSecret(env.SWITCHYARD_DATA_DIR),
        },
      });
      progress(`console: ${urls.console}`);
      return { close: () => running.stop() };
    },
  },
];

/** Starts the selected components in this process, wired to the configured backends. */
export async function startPlatform({ env, progress = (line) => process.stderr.write(`${line}\n`) }: StartOptions): Promise<RunningPlatform> {
  const has = (component: Component) => env.SWITCHYARD_COMPONENTS.has(component);
  const host = env.SWITCHYARD_HOST;
  const url = (port: number, on = host) => `http://${on}:${port}`;
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closeOne of closers.reverse()) await closeOne().catch(() => undefined);
  };
  const drains: Array<(options: DrainOptions) => Promise<{ timedOut: boolean }>> = [];
  const selected = COMPONENT_TABLE.filter((entry) => has(entry.name));
  const needed = new Set(selected.flatMap((entry) => entry.needs));

  // The embedded database's lock, taken before anything opens the data dir: a second start on it is
  // refused here, naming the holder (an operator command is waited for). Closed last, after the database.
  const operatorSocket = needed.has('database') && !env.DATABASE_URL ? await claimOperatorSocketForPlatform({ socketPath: operatorSocketPath(env.SWITCHYARD_DATA_DIR), progress }) : null;
  if (operatorSocket) closers.push(() => operatorSocket.close());
  // Operator commands rewrap tenant data keys, so the socket needs the master keys too.
  if (operatorSocket) needed.add('masterKeys');

  try {
    await mkdir(env.SWITCHYARD_DATA_DIR, { recursive: true });
    // Validated before anything starts: every problem is listed and nothing listens.
    const dataPlane = platformDataPlaneConfig(env);
    // One tracer provider for the whole process, before any component starts (their spans would be no-ops otherwise);
    // closed last. Off, sending nothing, unless OTEL_EXPORTER_OTLP_ENDPOINT (or the traces endpoint) is set.
    const tracing = registerTracing(dataPlane.tracing, { serviceName: 'switchyard' });
    closers.push(() => tracing.shutdown());
    progress(`traces: ${dataPlane.tracing.endpoint === undefined ? 'off (set OTEL_EXPORTER_OTLP_ENDPOINT to export)' : `OTLP/HTTP to ${dataPlane.tracing.endpoint}`}`);
    const urls = {
      console: url(env.CONSOLE_PORT),
      graphql: `${url(env.SUPERGRAPH_PORT)}/graphql`,
      openaiBaseUrl: `${url(dataPlane.port, dataPlane.host)}/v1`,
      oidcIssuer: platformOidcIssuer(env),
      tenantsSubgraph: `${url(env.TENANTS_SUBGRAPH_PORT)}/graphql`,
      costSubgraph: `${url(env.COST_SUBGRAPH_PORT)}/graphql`,
      dpSubgraph: `${url(env.DP_SUBGRAPH_PORT)}/graphql`,
      auditSubgraph: `${url(env.AUDIT_SUBGRAPH_PORT)}/graphql`,
      policySubgraph: `${url(env.POLICY_SUBGRAPH_PORT)}/graphql`,
      experimentsSubgraph: `${url(env.EXPERIMENTS_SUBGRAPH_PORT)}/graphql`,
      sloSubgraph: `${url(env.SLO_SUBGRAPH_PORT)}/graphql`,
      memorySubgraph: `${url(env.MEMORY_SUBGRAPH_PORT)}/graphql`,
    };

    // The shared backends, each opened once (and only when a selected component needs it).
    let db: Database | null = null;
    if (needed.has('database')) {
      progress(env.DATABASE_URL ? 'database: Postgres (DATABASE_URL)' : `database: embedded PGlite in ${path.join(env.SWITCHYARD_DATA_DIR, 'pglite')}`);
      progress('database: applying migrations');
      const opened = await openDatabase(dataPlane);
      db = opened;
      closers.push(() => opened.close());
    }
    const sharedState = openSharedState(dataPlane);
    closers.push(() => sharedState.close());
    progress(`bus and limits: ${sharedState.kind === 'redis' ? 'Redis (REDIS_URL)' : 'in-process'}`);
    const internalKeys = needed.has('internalKeys') ? await loadOrCreateInternalKeys(env.SWITCHYARD_DATA_DIR) : null;
    // Tenant secrets (provider credentials, webhook secrets) sit under data keys wrapped by these.
    let masterKeys: Shared['masterKeys'] | null = null;
    if (needed.has('masterKeys')) {
      const keyring = await loadMasterKeyring(dataPlane);
      masterKeys = { keyring, kms: createLocalKms(keyring) };
      progress(`master keys: ${keyring.source === 'environment' ? 'SWITCHYARD_MASTER_KEYS' : 'embedded (data dir)'}, current ${keyring.activeKeyId}`);
    }
    const shared: Partial<Shared> = { ...(db ? { database: db } : {}), ...(internalKeys ? { internalKeys } : {}), ...(masterKeys ? { masterKeys } : {}) };

    // Operator commands need only the database, the bus and the master keys: served from here on,
    // so `npm run admin` works while the components (and the console's first build) still start.
    if (operatorSocket && db && masterKeys) {
      const operatorDb = db;
      const operatorKms = masterKeys.kms;
      operatorSocket.serve({
        tenants: createTenantsService({ db: operatorDb, bus: sharedState.bus }),
        rotateMasterKey: (batchSize, onProgress) => rotateMasterKey({ db: operatorDb, kms: operatorKms, batchSize, onProgress }),
      });
    }

    let demoApiKey: string | null = null;
    if (db && has('tenants')) {
      const { demoTenantId } = await seed(db);
      demoApiKey = await createDemoKeyIfFresh(createTenantsService({ db, bus: sharedState.bus }), demoTenantId);
    }

    // One operator metrics listener for the whole process (METRICS_*), never a public port.
    const metricsSources: MetricsSource[] = [];
    const inProcessSubgraphs: ComponentContext['inProcessSubgraphs'] = {};
    for (const entry of selected) {
      const context: ComponentContext = {
        env,
        host,
        urls,
        dataPlane,
        sharedState,
        progress,
        need(what) {
          const backend: Shared[typeof what] | undefined = shared[what];
          if (backend === undefined || !entry.needs.includes(what)) throw new Error(`component ${entry.name} uses ${what} without declaring it in needs`);
          return backend;
        },
        async serve(name, app, port, on = host) {
          // Before it listens, so every request is counted when SIGTERM drains it.
          drains.push(app.drain?.bind(app) ?? attachHttpDrain(app.server).drain);
          const bound = await listen(app.server, port, on).catch(async (error: unknown) => {
            await app.close().catch(() => undefined);
            throw error;
          });
          progress(`${name}: ${url(bound, on)}`);
        },
        exposeMetrics(source) {
          metricsSources.push(source);
        },
        inProcessSubgraphs,
      };
      const started = await entry.start(context);
      closers.push(() => started.close());
    }

    let metricsUrl: string | null = null;
    // The stream consumers beside cost, audit, tenants and slo count their lag and failures in prom-client's process registry.
    const consumersRun = has('cost') || has('audit') || has('tenants') || has('slo');
    if (metricsSources.length > 0 || consumersRun) {
      const { port, host: metricsHost, token } = dataPlane.metrics;
      const sources: MetricsSource[] = consumersRun ? [processRegistry, ...metricsSources] : metricsSources;
      const listener = createMetricsListener({ sources: () => sources, token });
      const bound = await listen(listener, port, metricsHost).catch((error: unknown) => {
        throw new Error(`operator metrics listener: cannot listen on ${metricsHost}:${port} (${error instanceof Error ? error.message : String(error)}); set METRICS_PORT / METRICS_HOST`);
      });
      closers.push(
        () =>
          new Promise<void>((resolve) => {
            listener.close(() => resolve());
            listener.closeIdleConnections();
          }),
      );
      metricsUrl = `${url(bound, metricsHost)}/metrics`;
      progress(`operator metrics: ${metricsUrl}${token ? ' (bearer token)' : ''}`);
    }

    return {
      urls,
      backends: { database: db ? (env.DATABASE_URL ? 'postgres' : 'pglite') : null, bus: sharedState.kind },
      // Every selected component has started by now (a failure throws), in COMPONENTS order.
      components: new Set(COMPONENTS.filter(has)),
      platformRoutes: dataPlane.routes.map((route) => route.name),
      metricsUrl,
      demoApiKey,
      close,
      async shutdown(options) {
        const outcomes = await Promise.all(drains.map((drain) => drain(options)));
        if (outcomes.some((outcome) => outcome.timedOut)) progress(`requests still in flight after ${options.timeoutMs} ms were cut`);
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
