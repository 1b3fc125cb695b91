import { createSloThrottle, subscribeSloThrottle } from '../ingress/slo-throttle/slo-throttle';
import { pino, type Logger } from 'pino';
import { createTenantCredentialCache } from '../adapters/tenant-credentials/credential-cache';
import { createDataPlane, type DataPlane, type DataPlaneDeps } from '../app';
import type { Bus } from '@switchyard/bus';
import type { DataPlaneConfig } from '../config';
import type { AccessTokenAuthentication } from '../ingress/access-token';
import { createApiKeyLastUsedRecorder, type ApiKeyLastUsedRecorder } from '@switchyard/identity/api-keys';
import type { LimitsConfigInput } from '../ingress/limits/limits-config';
import { createOidcAuthentication } from '../ingress/oidc-authentication';
import type { RateLimiter } from '../ingress/rate-limit/rate-limiter';
import { createBufferedDecisionLog } from '../policy/pdp/decision-log';
import { createPolicyDecisionPoint } from '../policy/pdp/decision-point';
import type { FeedbackLog } from '../router/feedback-log';
import { createTenantSettingsCache } from '../tenant-settings/settings-cache';
import { createBanditPriorsCache, type BanditPriorsCache } from '../router/bandit-priors';
import { createFederatedViewCache } from '../router/federated-view';
import type { DataPlaneStores } from './stores';
import { randomUUID } from 'node:crypto';
import { MEMORY_RETENTION_DAYS } from '@switchyard/db/tenant-settings';
import { createInMemorySessionDocumentStore, createSessionDocuments, startRetentionSweep } from '@switchyard/session-documents';
import { createInProcessSessionWindow, type SessionWindow, type SessionWindowLimits } from '@switchyard/memory/session';

/** Decisions kept for policy dry runs, per second per replica (the rest of a second's decisions are not logged). */
const DECISION_LOG_ROWS_PER_SECOND = 100;
/** How often each replica deletes memory-fabric data past its retention (idempotent statements). */
const SESSION_DOCUMENT_SWEEP_MS = 60 * 60 * 1000;

/** What the configuration picks: the shared state (see shared-state.ts) and where stored data is read. */
export interface DataPlaneBackends {
  stores: DataPlaneStores;
  bus: Bus;
  rateLimiter: RateLimiter;
  /** Shared by every replica (Redis), so POST /v1/feedback may reach any of them; absent: this replica only. */
  feedbackLog?: FeedbackLog | undefined;
  /** The memory fabric's session window (Redis: conversations continue through any replica); absent: in-process, this replica only. */
  sessionWindow?: SessionWindow | undefined;
  /** Default: silent. */
  logger?: Logger;
}

/**
 * Knobs with no environment variable: the benchmark's upstream concurrency, and tests' seeded
 * randomness, injected signals and stand-ins. Production passes none.
 */
export interface DataPlaneTuning {
  routing?: DataPlaneDeps['routing'];
  qos?: DataPlaneDeps['qos'];
  redaction?: DataPlaneDeps['redaction'];
  replicaId?: string;
  /** Bounds of the request log (refusals per tenant per second, queue); tests shrink them. */
  requestLog?: DataPlaneDeps['requestLog'];
  /** Instead of the OIDC authentication built from `config.oidc` (tests sign their own tokens). */
  accessTokens?: AccessTokenAuthentication;
  /** Instead of the recorder over `stores.apiKeyUse` (tests flush it by hand). */
  apiKeyLastUsed?: Pick<ApiKeyLastUsedRecorder, 'record'>;
  /** The memory fabric's retention sweep interval (session documents, session snapshot, vector memories; default hourly; 0: never). */
  sessionDocumentSweepMs?: number;
}

/** What a composed data plane needs from its configuration (a whole `DataPlaneConfig` fits; limits not given take their defaults). */
export type DataPlaneAppConfig = Pick<DataPlaneConfig, 'providers' | 'routes' | 'maxBodyBytes' | 'oidc' | 'sessionDocuments' | 'region'> & {
  /** The session window's limits (MEMORY_*); default: the memory package's. */
  memory?: SessionWindowLimits;
  limits: LimitsConfigInput;
  /** Only `tenantLabels` matters here (where metrics are served is the embedder's: telemetry/metrics-listener.ts); default off. */
  metrics?: Pick<DataPlaneConfig['metrics'], 'tenantLabels'>;
};

export interface ComposedDataPlane extends DataPlane {
  /** Stops serving (waits for in-flight requests and their usage events), then every cache and subscription. Backends stay open. */
  close(): Promise<void>;
}

/**
 * The one composition root of the data plane: every deployable (standalone server, `npm start`,
 * the benchmark gateway, the test harness) builds it here and differs only in the configuration
 * and backends it passes. Loads what requests must never wait for (routes, tenant settings,
 * provider credentials; the app itself compiles policies before it reports ready) and subscribes
 * each to its change event, then returns the app, not yet listening.
 */
export async function composeDataPlane(config: DataPlaneAppConfig, backends: DataPlaneBackends, tuning: DataPlaneTuning = {}): Promise<ComposedDataPlane> {
  const { stores, bus } = backends;
  const logger = backends.logger ?? pino({ level: 'silent' });
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const closeOne of closers.splice(0).reverse()) await closeOne();
  };
  try {
    // Tenant routes (experiments subgraph) over the platform's: loaded before serving, one tenant
    // reloaded per routes.changed, so no request waits on the database for a route.
    const routes = stores.routeTable(config.routes, logger);
    closers.push(await routes.subscribe(bus));
    await routes.load();

    // Tenants' own provider keys, decrypted into this replica's memory before serving and reloaded
    // per tenant on provider-credentials.changed: no request reads the database for a credential.
    const credentials = createTenantCredentialCache({
      source: stores.providerCredentials,
      onReloadError: (tenantId, error, attempt) => logger.warn({ err: error, tenantId, attempt }, 'provider credentials not reloaded'),
    });
    closers.push(await credentials.subscribe(bus));
    await credentials.loadAll();

    // Allowed regions, home region and its pin, default classification and quotas per tenant: the same, on tenant-settings.changed.
    const tenantSettings = createTenantSettingsCache({
      source: stores.tenantSettings,
      onReloadError: (tenantId, error, attempt) => logger.warn({ err: error, tenantId, attempt }, 'tenant settings not reloaded'),
    });
    closers.push(await tenantSettings.subscribe(bus));
    await tenantSettings.loadAll();

    // The cost optimizer's bandit priors (and canaries): the same, on bandit-priors.changed.
    let banditPriors: BanditPriorsCache | undefined;
    if (stores.banditPriors) {
      banditPriors = createBanditPriorsCache({
        source: stores.banditPriors,
        onReloadError: (tenantId, error, attempt) => logger.warn({ err: error, tenantId, attempt }, 'bandit priors not reloaded'),
      });
      closers.push(await banditPriors.subscribe(bus));
      await banditPriors.loadAll();
    }

    // Other regions' evidence, from this region's federation coordinator (federation.view on the
    // region's bus, re-sent whole every interval): nothing to load, the next message brings it.
    // The app subscribes it (and counts what arrives).
    const federatedView = createFederatedViewCache({ region: config.region });

    // Decision requests feed policy dry runs: batched off the request path.
    // Dry runs read the newest 1,000 decisions per tenant: writing more than ~100 a second only churns
    // that window, and a 1,000-row Prisma batch every second stalled the event loop (p99 at 10
    // connections 49 -> 120 ms in the benchmark). At most DECISION_LOG_ROWS_PER_SECOND rows per flush.
    const decisionLog = stores.decisions ? createBufferedDecisionLog({ writer: stores.decisions, maxBuffered: DECISION_LOG_ROWS_PER_SECOND, flushIntervalMs: 1_000 }) : undefined;
    if (decisionLog) closers.push(() => decisionLog.close());
    const policy = createPolicyDecisionPoint({
      source: stores.policies,
      ...(decisionLog ? { log: decisionLog } : {}),
      onInvalidStoredPolicy: (tenantId, version) => logger.error({ tenantId, version }, 'stored active policy no longer compiles; the tenant is denied everything'),
      onReloadError: (tenantId, error) => logger.warn({ err: error, tenantId }, "tenant policy not reloaded; the tenant's next request loads it"),
    });

    let accessTokens = tuning.accessTokens;
    if (!accessTokens && config.oidc) {
      const oidc = await createOidcAuthentication(config.oidc, stores.memberships, bus, logger);
      closers.push(() => oidc.close());
      accessTokens = oidc.authentication;
    }

    let apiKeyLastUsed = tuning.apiKeyLastUsed;
    if (!apiKeyLastUsed && stores.apiKeyUse) {
      const recorder = createApiKeyLastUsedRecorder(stores.apiKeyUse, { onError: (error) => logger.warn({ err: error }, 'API key last use not recorded yet; retrying') });
      closers.push(() => recorder.close());
      apiKeyLastUsed = recorder;
    }

    // The SLO auto-throttle: subscribed before the engaged set is read, so no engage is missed (a
    // release racing the read is healed by the evaluator's next transition of that SLO).
    const sloThrottle = createSloThrottle();
    closers.push(await subscribeSloThrottle(bus, sloThrottle, logger));
    if (stores.engagedSloThrottles) for (const engaged of await stores.engagedSloThrottles()) sloThrottle.apply({ ...engaged, action: 'engage' });

    // Session documents: durable in the database's store, shared live with the other replicas over
    // the bus; every replica sweeps expired ones (the sweep is one idempotent statement).
    const replicaId = tuning.replicaId ?? randomUUID();
    const documentStore = stores.sessionDocuments ?? createInMemorySessionDocumentStore();
    const sessionDocuments = createSessionDocuments({
      store: documentStore,
      bus,
      replicaId,
      ...(config.sessionDocuments ? { limits: config.sessionDocuments } : {}),
      onPublishFailed: (error) => logger.warn({ err: error }, "session document update stored but not announced; other replicas' watchers see it when they reconnect"),
    });
    closers.push(() => sessionDocuments.close());
    // One sweep for the whole memory fabric (MEMORY_RETENTION_DAYS): session documents, and on a
    // database the session window's snapshot and the vector memories. Each part runs even if another fails.
    const expireMemory = stores.expireMemory;
    const sweep = startRetentionSweep({
      store: {
        expire: async (now, retentionDays) => {
          const parts = await Promise.allSettled([documentStore.expire(now, retentionDays), expireMemory ? expireMemory(now, retentionDays, bus) : Promise.resolve(0)]);
          const failed = parts.find((part): part is PromiseRejectedResult => part.status === 'rejected');
          if (failed) throw failed.reason;
          return parts.reduce((sum, part) => sum + (part.status === 'fulfilled' ? part.value : 0), 0);
        },
      },
      retentionDays: MEMORY_RETENTION_DAYS,
      intervalMs: tuning.sessionDocumentSweepMs ?? SESSION_DOCUMENT_SWEEP_MS,
      onSwept: (deleted) => (deleted > 0 ? logger.info({ deleted }, 'memory past its retention deleted (session documents, session snapshots, vector memories)') : undefined),
      onError: (error) => logger.warn({ err: error }, 'memory retention sweep failed; retrying at the next interval'),
    });
    closers.push(async () => sweep.stop());

    const vectorMemory = stores.vectorMemory ? await stores.vectorMemory(bus) : undefined;
    if (vectorMemory) closers.push(() => vectorMemory.close());

    // The app subscribes the API key cache to api-key.changed and the policies to policy.changed itself.
    const app = createDataPlane({
      sloThrottle,
      apiKeys: stores.apiKeys,
      priceBook: stores.priceBook,
      bus,
      rateLimiter: backends.rateLimiter,
      providers: config.providers,
      routes,
      limits: config.limits,
      maxBodyBytes: config.maxBodyBytes,
      metricsTenantLabels: config.metrics?.tenantLabels ?? false,
      policy,
      providerCredentials: credentials,
      tenantSettings,
      ...(config.region !== undefined ? { region: config.region } : {}),
      ...(banditPriors ? { banditPriors } : {}),
      federatedView,
      ...(vectorMemory ? { vectorMemory } : {}),
      logger,
      ...(backends.feedbackLog ? { feedbackLog: backends.feedbackLog } : {}),
      // The session window (Redis or in-process) over its durable snapshot when the stores have one.
      memory: {
        window: backends.sessionWindow ?? createInProcessSessionWindow(config.memory ? { limits: config.memory } : {}),
        ...(stores.sessionSnapshot ? { snapshot: stores.sessionSnapshot } : {}),
        ...(config.memory ? { limits: config.memory } : {}),
      },
      ...(accessTokens ? { accessTokens } : {}),
      ...(apiKeyLastUsed ? { apiKeyLastUsed } : {}),
      ...(tuning.routing ? { routing: tuning.routing } : {}),
      ...(tuning.qos ? { qos: tuning.qos } : {}),
      ...(tuning.redaction ? { redaction: tuning.redaction } : {}),
      replicaId,
      sessionDocuments,
      ...(tuning.requestLog ? { requestLog: tuning.requestLog } : {}),
    });
    return {
      server: app.server,
      drain: (options) => app.drain(options),
      metrics: app.metrics,
      async close() {
        await app.close();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}
