import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { createUsageRecorder, type CompletedRequest } from './accounting/usage-recorder';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { newRequestLogDraft, traceIdFromHeader, type RequestLogDraft } from './accounting/request-log-entry';
import { createRequestLogRecorder, type RequestLogLimits } from './accounting/request-log-recorder';
import type { PriceBookSource } from './accounting/price-book';
import { createProviderRegistry, type ProviderConfig } from './adapters/provider-registry';
import type { ProviderCredentialLookup } from './adapters/tenant-credentials/credential-cache';
import { handleChatCompletions, handleGovernedCall } from './api/chat-completions-handler';
import { COMPLETIONS_SURFACE } from './api/completions/completions-surface';
import { createResponsesSurface } from './api/responses/responses-surface';
import { handleStoredResponse } from './api/responses/stored-responses-handler';
import {
  createInProcessSessionWindow,
  createSnapshottedSessionWindow,
  DEFAULT_SESSION_WINDOW_LIMITS,
  instrumentSessionWindow,
  type SessionSnapshotStore,
  type SessionWindow,
  type SessionWindowLimits,
} from '@switchyard/memory/session';
import { modelList, modelObject } from './api/chat-completion-response';
import type { Bus, Unsubscribe } from '@switchyard/bus';
import { isDatabaseUnavailableError } from '@switchyard/db/availability';
import { ApiError, type ErrorCode } from './errors';
import { answerClientErrors, type ClientErrorKind } from '@switchyard/http-edge/client-error';
import { createHttpDrain, type DrainOptions, type DrainOutcome } from '@switchyard/http-edge/drain';
import { clientRequestIdFrom, newRequestId } from './http/request-id';
import { sendError, sendJson } from './http/respond';
import { subscribeApiKeyEviction, type ApiKeyLastUsedRecorder, type ApiKeyResolver } from '@switchyard/identity/api-keys';
import { authenticateCaller, KnownKeyRefusedError, type AuthenticatedCaller } from './ingress/authenticate';
import { TENANT_HEADER, type AccessTokenAuthentication } from './ingress/access-token';
import type { RateLimiter } from './ingress/rate-limit/rate-limiter';
import { createFailSafeRateLimiter } from './ingress/rate-limit/fail-safe-rate-limiter';
import { parseLimitsConfig, type LimitsConfigInput } from './ingress/limits/limits-config';
import { createTenantLimits } from './ingress/limits/tenant-limits';
import { LimitExceededError, limitKeys } from './ingress/limits/enforce-limits';
import type { TenantSettingsLookup } from './tenant-settings/settings-cache';
import { mayServeInRegion } from '@switchyard/db/tenant-settings';
import { monitorEventLoopLag, type EventLoopLagSignal } from './ingress/qos/event-loop-lag';
import { DEFAULT_SHEDDING_THRESHOLDS, shouldShed, type SheddingThresholds } from './ingress/qos/load-shedding';
import { QOS_HEADER, qosClassOf } from './ingress/qos/qos-class';
import type { SloThrottle } from './ingress/slo-throttle/slo-throttle';
import { ENDPOINT_SCOPES, requireScope } from './ingress/scopes';
import { createStaticRedactionConfigSource, type RedactionConfigSource } from './ingress/pii/redaction-config';
import { handleFeedback } from './api/feedback-handler';
import { handleSessionDocument, matchSessionDocumentPath, SESSION_DOCUMENT_METHODS, type SessionDocumentAction } from './api/session-documents-handler';
import type { SessionDocuments } from '@switchyard/session-documents';
import { handleEmbeddings } from './api/embeddings-handler';
import { handleAddMemory, handleListMemories, handleMemory } from './api/memories-handler';
import { MOCK_EMBEDDING_MODEL } from './adapters/mock/mock-embedding';
import { createInMemoryVectorMemory, type VectorMemory } from '@switchyard/vector-memory';
import { createQuotaAlerts } from './alerts/quota-alerts';
import type { AimdOptions } from './router/adaptive-concurrency';
import type { CircuitBreakerOptions } from './router/circuit-breaker';
import type { Random } from './router/random';
import { parseRoutes, type RouteConfig } from './router/route';
import { createInMemoryRouteTable, type RouteTable } from './router/route-table';
import { createRouter } from './router/router';
import type { BanditPriorLookup } from './router/bandit-priors';
import type { FederatedViewCache } from './router/federated-view';
import { EXPERIMENT_FEEDBACK_STREAM, type ExperimentFeedbackEvent } from '@switchyard/events/usage';
import type { FeedbackLog } from './router/feedback-log';
import { createRoutingObservationExchange } from './router/routing-observations';
import { createMetrics, UNSERVED_MODEL_LABEL } from './telemetry/metrics';
import { startRequestSpan } from './telemetry/request-span';
import type { MetricsSource } from '@switchyard/http-edge/metrics-listener';
import type { PolicyDecisionPoint } from './policy/pdp/decision-point';

export interface DataPlaneDeps {
  apiKeys: ApiKeyResolver;
  /** The SLO auto-throttle (batch requests of a paging route refused); absent: never throttles. */
  sloThrottle?: SloThrottle;
  /** OIDC access tokens as well as API keys (DESIGN.md §3 ingress); absent: API keys only. */
  accessTokens?: AccessTokenAuthentication;
  /** Told about every API key that authenticates, to record its last use off the request path. */
  apiKeyLastUsed?: Pick<ApiKeyLastUsedRecorder, 'record'>;
  priceBook: PriceBookSource;
  bus: Bus;
  rateLimiter: RateLimiter;
  providers: ProviderConfig[];
  /** Named routes clients can send as `model` (validated here), or a ready route table. */
  routes?: RouteConfig[] | RouteTable;
  /** Routing knobs; tests pin the randomness and shrink limits. */
  routing?: { random?: Random; breaker?: CircuitBreakerOptions; concurrency?: AimdOptions };
  /**
   * Which request each replica served, for POST /v1/feedback: share one (`createRedisFeedbackLog`)
   * between replicas so feedback may reach any of them. Default: in-memory, this replica only.
   */
  feedbackLog?: FeedbackLog;
  /** Names this process on the bus (bandit observations it published come back and are skipped); default a random UUID. */
  replicaId?: string;
  /** Per-key and per-tenant request and token limits; every field defaults (see limits-config.ts). */
  limits?: LimitsConfigInput;
  /**
   * Load shedding by QoS class (`x-switchyard-qos: interactive|batch`): thresholds on in-flight
   * chat requests and event-loop lag (default: measured with perf_hooks; tests inject a signal).
   */
  qos?: { thresholds?: SheddingThresholds; eventLoopLag?: EventLoopLagSignal };
  /** Per-tenant PII redaction of prompts (default: every PII type redacted for every tenant). */
  redaction?: RedactionConfigSource;
  /**
   * Tenant policies (`@switchyard/data-plane/pdp`): asked once per chat request; the app
   * subscribes it to `switchyard:policy.changed` on `bus`. Absent: no policy step.
   */
  policy?: PolicyDecisionPoint;
  /**
   * Tenants' own provider keys (adapters/tenant-credentials/credential-cache.ts, loaded and kept
   * fresh by the composition root): a tenant's call uses its key for that provider, else the provider's.
   */
  providerCredentials?: ProviderCredentialLookup;
  /**
   * Tenants' allowed regions, default data classification and quota overrides
   * (tenant-settings/settings-cache.ts, loaded and kept fresh by the composition root). Absent:
   * every tenant may use any region, is `internal` by default and has the platform's limits.
   */
  tenantSettings?: TenantSettingsLookup;
  /**
   * This deployment's region (SWITCHYARD_REGION): a tenant pinned to another home region is refused
   * with 503 `region_not_allowed` before anything of it is written here. Absent: serves every tenant.
   */
  region?: string;
  /** The cost optimizer's bandit priors (router/bandit-priors.ts, loaded and kept fresh by the composition root); absent: Beta(1, 1). */
  banditPriors?: BanditPriorLookup;
  /** Other regions' evidence from the region's federation coordinator (router/federated-view.ts; the app follows it on the bus); absent: this region's only. */
  federatedView?: FederatedViewCache;
  /**
   * The memory fabric's shared session documents (`/v1/sessions/{id}/document`, built by the
   * composition root over the tenant's store and the bus); absent: those paths answer 404.
   */
  sessionDocuments?: SessionDocuments;
  /**
   * The tenants' vector memories (POST/GET/DELETE /v1/memories, a route's `memory.topMemories`).
   * Default: in this process's memory (`@switchyard/vector-memory`), forgotten on restart.
   */
  vectorMemory?: VectorMemory;
  /** Embeds a memory whose POST /v1/memories names no model (default `mock-embed-1`). */
  defaultEmbeddingModel?: string;
  /** Largest accepted request body (default 1 MiB). */
  maxBodyBytes?: number;
  /** Bounds of the request log (accounting/request-log-recorder.ts); tests shrink them. */
  requestLog?: Partial<RequestLogLimits>;
  /** Tenant route names as `route` label values (METRICS_TENANT_LABELS=on); default off. */
  metricsTenantLabels?: boolean;
  /**
   * The memory fabric's session window (stored responses, recent turns) and the limits it was made
   * with (the quota is checked before a call, a stored context trimmed to them). Default: an
   * in-process window with the default limits (this replica only).
   */
  memory?: { window: SessionWindow; snapshot?: SessionSnapshotStore; limits?: Partial<SessionWindowLimits> };
  logger?: Logger;
}

export interface DataPlane {
  /** Not listening: the caller decides where (tests use port 0). Serves no metrics: see `metrics`. */
  server: Server;
  /** This instance's Prometheus registry, for the operator metrics listener (telemetry/metrics-listener.ts), never the public port. */
  metrics: MetricsSource;
  /** Stops accepting requests, waits for in-flight ones and their usage events. Does not close deps. */
  close(): Promise<void>;
  /**
   * Graceful shutdown's first half (SIGTERM): /readyz 503 and `Connection: close` at once, new
   * requests refused with 503 `shutting_down` after `graceMs`, in-flight requests and streams given
   * `timeoutMs`; then call close() to flush usage events.
   */
  drain(options: DrainOptions): Promise<DrainOutcome>;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** What the HTTP parser refuses before the app runs, answered in the OpenAI shape (http/client-error.ts). */
const CLIENT_ERROR_CODES: Record<ClientErrorKind, ErrorCode> = {
  header_too_large: 'request_headers_too_large',
  timeout: 'request_timeout',
  malformed: 'malformed_request',
};
/** Model list `created`: a fixed timestamp, since configured models have no creation date. */
const MODELS_CREATED = 1_700_000_000;
/** Postgres dropped or refused a connection a request needed: the pool reconnects on the next query. */
const DATABASE_RETRY_AFTER_SECONDS = 1;
/** The data plane's own id of the request (the one billing and audit records carry), on every response. */
export const SWITCHYARD_REQUEST_ID_HEADER = 'x-switchyard-request-id';
/** The region of the data plane that answered (SWITCHYARD_REGION), on every response when it is set. */
export const SWITCHYARD_REGION_HEADER = 'x-switchyard-region';

type Route =
  | 'chat_completions'
  | 'responses'
  | 'response'
  | 'completions'
  | 'embeddings'
  | 'memories'
  | 'memory'
  | 'feedback'
  | 'models'
  | 'model'
  | 'session_document'
  | 'session_document_updates'
  | 'session_document_events'
  | 'healthz'
  | 'readyz'
  | 'not_found';

const SESSION_DOCUMENT_ROUTES: Record<SessionDocumentAction, Route> = { document: 'session_document', updates: 'session_document_updates', events: 'session_document_events' };

/** The span name's route part (OpenTelemetry HTTP conventions: a low-cardinality template, never the raw path). */
const HTTP_ROUTE: Record<Route, string> = {
  chat_completions: '/v1/chat/completions',
  responses: '/v1/responses',
  response: '/v1/responses/{id}',
  completions: '/v1/completions',
  embeddings: '/v1/embeddings',
  memories: '/v1/memories',
  memory: '/v1/memories/{id}',
  feedback: '/v1/feedback',
  models: '/v1/models',
  model: '/v1/models/{id}',
  session_document: '/v1/sessions/{session_id}/document',
  session_document_updates: '/v1/sessions/{session_id}/document/updates',
  session_document_events: '/v1/sessions/{session_id}/document/events',
  healthz: '/healthz',
  readyz: '/readyz',
  not_found: '(unmatched)',
};

function routeOf(path: string): Route {
  switch (path) {
    case '/v1/chat/completions':
      return 'chat_completions';
    case '/v1/feedback':
      return 'feedback';
    case '/v1/embeddings':
      return 'embeddings';
    case '/v1/memories':
      return 'memories';
    case '/v1/models':
      return 'models';
    case '/healthz':
      return 'healthz';
    case '/readyz':
      return 'readyz';
    case '/v1/responses':
      return 'responses';
    case '/v1/completions':
      return 'completions';
    // `/metrics` is not served here (the public port): the operator metrics listener serves it.
    default: {
      if (path.startsWith('/v1/responses/') && path.length > '/v1/responses/'.length) return 'response';
      if (path.startsWith('/v1/models/') && path.length > '/v1/models/'.length) return 'model';
      if (path.startsWith(MEMORY_PATH_PREFIX) && path.length > MEMORY_PATH_PREFIX.length && !path.includes('/', MEMORY_PATH_PREFIX.length)) return 'memory';
      const document = matchSessionDocumentPath(path);
      return document ? SESSION_DOCUMENT_ROUTES[document.action] : 'not_found';
    }
  }
}

const MEMORY_PATH_PREFIX = '/v1/memories/';

const METHODS_OF: Record<Route, readonly string[]> = {
  chat_completions: ['POST'],
  responses: ['POST'],
  response: ['GET', 'DELETE'],
  completions: ['POST'],
  embeddings: ['POST'],
  memories: ['GET', 'POST'],
  memory: ['GET', 'DELETE'],
  feedback: ['POST'],
  models: ['GET'],
  model: ['GET'],
  session_document: SESSION_DOCUMENT_METHODS.document,
  session_document_updates: SESSION_DOCUMENT_METHODS.updates,
  session_document_events: SESSION_DOCUMENT_METHODS.events,
  healthz: ['GET'],
  readyz: ['GET'],
  not_found: [],
};

export function createDataPlane(deps: DataPlaneDeps): DataPlane {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const metrics = createMetrics({ tenantLabels: deps.metricsTenantLabels ?? false });
  const providers = createProviderRegistry(deps.providers);
  // A request no configured model served carries the client's `model` text: never a label value.
  const modelLabel = (model: string) => (providers.route(model) ? model : UNSERVED_MODEL_LABEL);
  const requestLog = createRequestLogRecorder({
    bus: deps.bus,
    priceBook: deps.priceBook,
    logger,
    ...(deps.requestLog ? { limits: deps.requestLog } : {}),
    metrics: {
      dropped: (reason, count = 1) => metrics.requestLogDropped.inc({ reason }, count),
      unattributed: (code) => metrics.unattributedRefusals.inc({ code }),
    },
  });
  const routeTable = Array.isArray(deps.routes) ? createInMemoryRouteTable(parseRoutes(deps.routes)) : (deps.routes ?? createInMemoryRouteTable([]));
  // As the router labels routes: platform routes and served models by name, a tenant's own route per METRICS_TENANT_LABELS.
  const platformRouteNames = new Set(routeTable.defaults().map((route) => route.name));
  const routeLabel = (completed: CompletedRequest): string => {
    const name = completed.route?.name ?? completed.model;
    if (completed.route?.configured === true && !platformRouteNames.has(name)) return metrics.tenantRouteLabel(name);
    return completed.route?.configured === true ? name : modelLabel(name);
  };
  const usage = createUsageRecorder({ bus: deps.bus, priceBook: deps.priceBook, metrics, modelLabel, routeLabel, logger });
  // Bandit observations are shared with the other replicas through the bus, batched off the hot path.
  const observations = createRoutingObservationExchange({
    bus: deps.bus,
    replicaId: deps.replicaId ?? randomUUID(),
    logger,
    onPublishFailed: (dropped) => metrics.routingStateFailures.inc({ kind: 'observations' }, dropped),
  });
  const router = createRouter({
    routes: routeTable,
    providers,
    priceBook: deps.priceBook,
    metrics,
    logger,
    ...deps.routing,
    ...(deps.providerCredentials ? { credentials: deps.providerCredentials } : {}),
    ...(deps.feedbackLog ? { feedbackLog: deps.feedbackLog } : {}),
    ...(deps.banditPriors ? { priors: deps.banditPriors } : {}),
    ...(deps.federatedView ? { federation: deps.federatedView } : {}),
    observations,
    // Off the feedback call's path: a lost score only leaves the arm one observation short.
    onExperimentFeedback: (feedback) => {
      const event: ExperimentFeedbackEvent = { ...feedback, createdAt: new Date().toISOString() };
      deps.bus.append(EXPERIMENT_FEEDBACK_STREAM, JSON.stringify(event)).catch((error: unknown) => logger.warn({ err: error, requestId: feedback.requestId }, 'experiment feedback not recorded'));
    },
  });
  // Other regions' evidence (the region coordinator's federation.view): a prior, so a failed subscription only leaves this region's evidence.
  const followingFederation = deps.federatedView
    ?.subscribe(deps.bus, (outcome) => {
      metrics.federationViews.inc({ outcome });
      if (outcome === 'malformed' || outcome === 'other_region') logger.warn({ outcome }, 'federation view ignored');
    })
    .catch((error: unknown) => {
      logger.error({ err: error }, "could not subscribe to the federation view; routing uses this region's evidence only");
      return undefined;
    });
  const observing = observations.subscribe((observation) => router.observe(observation)).catch((error: unknown) => {
    logger.error({ err: error }, 'could not subscribe to routing observations; bandits here learn from this replica only');
    return undefined;
  });
  // Redis down: each limit falls back as its type is configured (limits.onRedisDown, FAILURE-MODES.md).
  const rateLimiter = createFailSafeRateLimiter(deps.rateLimiter, {
    backendTimeoutMs: deps.limits?.redisTimeoutMs,
    onBackendState(down, error) {
      metrics.limiterBackendDown.set(down ? 1 : 0);
      if (down) logger.error({ err: error }, 'rate limiter backend unreachable: limits fall back per limits.onRedisDown');
      else logger.info('rate limiter backend answers again');
    },
    onDegradedDecision: (mode, allowed) => metrics.limiterDegradedDecisions.inc({ mode, outcome: allowed ? 'admitted' : 'refused' }),
  });
  const limits = parseLimitsConfig(deps.limits);
  const vectorMemory = deps.vectorMemory ?? createInMemoryVectorMemory();
  // Token settlements run after their response closed: close() waits for them before the limiter goes.
  const settling = new Set<Promise<void>>();
  const background = (task: Promise<void>): void => {
    settling.add(task);
    void task.finally(() => settling.delete(task));
  };
  // The session window, every call a memory_io span and a metrics sample (hits, misses, bytes, latency).
  const memoryLimits = { ...DEFAULT_SESSION_WINDOW_LIMITS, ...deps.memory?.limits };
  const fastMemory = deps.memory?.window ?? createInProcessSessionWindow({ limits: memoryLimits });
  const durableMemory = deps.memory?.snapshot
    ? createSnapshottedSessionWindow(fastMemory, deps.memory.snapshot, {
        limits: memoryLimits,
        onSnapshotError: (error, what) => logger.warn({ err: error, what }, 'session snapshot not written; the fast store still has it'),
        onRestored: (what) => metrics.memoryRestored.inc({ what }),
      })
    : fastMemory;
  const memory = instrumentSessionWindow(durableMemory, (io) => {
    const labels = { operation: io.operation, store: io.store };
    if (io.error) metrics.memoryErrors.inc(labels);
    else if (io.hit === true) metrics.memoryHits.inc(labels);
    else if (io.hit === false) metrics.memoryMisses.inc(labels);
    if (io.bytes > 0) metrics.memoryBytes.inc(labels, io.bytes);
    metrics.memoryLatency.observe(labels, io.seconds);
  });
  const responsesSurface = createResponsesSurface({
    memory,
    limits: memoryLimits,
    onNotStored: (error, requestId) => logger.warn({ err: error, requestId }, 'response answered but not stored (quota raced or session store unreachable); answered with store: false'),
  });
  const chatDeps = {
    memory,
    background,
    router,
    rateLimiter,
    limits,
    limitsFor: createTenantLimits(limits),
    bus: deps.bus,
    maxBodyBytes: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    usage,
    metrics,
    logger,
    redaction: deps.redaction ?? createStaticRedactionConfigSource(),
    quotaAlerts: createQuotaAlerts({ bus: deps.bus, logger }),
    // An answer's last byte waits for its usage event at most as long as a limit check waits for Redis.
    ...(deps.limits?.redisTimeoutMs !== undefined ? { usageConfirmMs: deps.limits.redisTimeoutMs } : {}),
    ...(deps.sloThrottle ? { sloThrottle: deps.sloThrottle } : {}),
    ...(deps.policy ? { policy: deps.policy } : {}),
    ...(deps.tenantSettings ? { tenantSettings: deps.tenantSettings } : {}),
    ...(deps.providerCredentials ? { providerCredentials: deps.providerCredentials } : {}),
    vectorMemory,
  };
  const memoriesDeps = { ...chatDeps, vectorMemory, defaultEmbeddingModel: deps.defaultEmbeddingModel ?? MOCK_EMBEDDING_MODEL };

  const sheddingThresholds = deps.qos?.thresholds ?? DEFAULT_SHEDDING_THRESHOLDS;
  const eventLoopLag = deps.qos?.eventLoopLag ?? monitorEventLoopLag();
  let chatInFlight = 0;
  // Session document event streams never end by themselves: close() ends them.
  const documentStreams = new Set<ServerResponse>();

  // Handlers still running (they record usage when they end): close() waits for them.
  const inFlight = new Set<Promise<void>>();
  let ready = false;
  let closing = false;
  let unsubscribeEviction: Unsubscribe | undefined;
  const subscribed = subscribeApiKeyEviction(deps.bus, deps.apiKeys).then(
    (unsubscribe) => {
      unsubscribeEviction = unsubscribe;
      ready = true;
    },
    (error: unknown) => logger.error({ err: error }, 'could not subscribe to API key changes; not ready'),
  );

  const policySubscription = deps.policy?.subscribe(deps.bus).catch((error: unknown) => {
    logger.error({ err: error }, 'could not subscribe to policy changes; policy updates reach this replica only on restart');
    return undefined;
  });
  // Every tenant's policy is compiled before this replica reports ready (after subscribing, so no
  // change is missed), so no request waits on the database for it.
  let policiesLoaded = deps.policy === undefined;
  const policyPreload = (async () => {
    await policySubscription;
    await deps.policy?.preload();
  })().then(
    () => void (policiesLoaded = true),
    (error: unknown) => {
      logger.error({ err: error }, "could not preload tenant policies; each tenant's first request loads its policy");
      policiesLoaded = true;
    },
  );

  const callerAuth = {
    apiKeys: deps.apiKeys,
    ...(deps.accessTokens ? { accessTokens: deps.accessTokens } : {}),
  };
  // Refused before anything of the tenant is written in this region: no request-log entry (the
  // refusal is only counted), no rate-limit window, no last-use record of its key.
  const regionRetryAfterSeconds = 5;
  function refuseOutsideHomeRegion(tenantId: string): void {
    if (deps.region === undefined || !deps.tenantSettings) return;
    const settings = deps.tenantSettings.settingsOf(tenantId);
    if (mayServeInRegion(settings, deps.region)) return;
    metrics.regionRefusals.inc();
    throw new ApiError('region_not_allowed', {
      retryAfterSeconds: regionRetryAfterSeconds,
      message: `This tenant may only be served in its home region '${settings.homeRegion ?? ''}', and this is region '${deps.region}'. Nothing was recorded here. Retry after the number of seconds in the Retry-After header; requests are served again once the home region is.`,
    });
  }
  /** Every endpoint that serves a caller authenticates it and requires the endpoint's scope. */
  async function authenticate(request: IncomingMessage, route: keyof typeof ENDPOINT_SCOPES, log: RequestLogDraft): Promise<AuthenticatedCaller> {
    // Node keeps only the first of repeated Authorization headers; which one a proxy in front checked is unknowable, so refuse.
    if ((request.headersDistinct.authorization?.length ?? 0) > 1) throw new ApiError('duplicate_authorization');
    const caller = await authenticateCaller(request.headers.authorization, request.headers[TENANT_HEADER], callerAuth);
    refuseOutsideHomeRegion(caller.tenantId);
    if (caller.apiKeyId !== null && caller.kind === 'api_key') deps.apiKeyLastUsed?.record(caller.apiKeyId);
    // From here the tenant is known: even a scope refusal goes into its request log.
    log.caller = { tenantId: caller.tenantId, apiKeyId: caller.apiKeyId, userId: caller.kind === 'user' ? caller.callerId : null };
    requireScope(caller, ENDPOINT_SCOPES[route]);
    return caller;
  }

  async function dispatch(route: Route, request: IncomingMessage, response: ServerResponse, ids: { requestId: string; clientRequestId: string | undefined }, startedAt: number, log: RequestLogDraft) {
    if (route === 'not_found') throw new ApiError('not_found');
    if (!METHODS_OF[route].includes(request.method ?? '')) throw new ApiError('method_not_allowed');
    switch (route) {
      case 'healthz':
        return sendJson(response, 200, { status: 'ok' });
      case 'readyz':
        return ready && policiesLoaded && !closing && !drain.draining ? sendJson(response, 200, { status: 'ready' }) : sendJson(response, 503, { status: 'not_ready' });
      case 'models': {
        const key = await authenticate(request, 'models', log);
        const { routes, models } = router.listing(key.tenantId);
        const routeIds = new Set(routes.map((r) => r.name));
        const entries = [
          ...routes.map((r) => ({ id: r.name, ownedBy: 'switchyard-route' })),
          ...models.filter((m) => !routeIds.has(m.id)),
        ];
        return sendJson(response, 200, modelList(entries, MODELS_CREATED));
      }
      case 'model': {
        const key = await authenticate(request, 'model', log);
        const id = modelIdFrom(request.url ?? '');
        const { routes, models } = router.listing(key.tenantId);
        const route = routes.find((r) => r.name === id);
        const entry = route ? { id: route.name, ownedBy: 'switchyard-route' } : models.find((m) => m.id === id);
        if (!entry) {
          throw new ApiError('model_not_found', { param: 'model', message: `The model '${id.slice(0, 256)}' does not exist or is not available. List available models and routes with GET /v1/models.` });
        }
        return sendJson(response, 200, modelObject(entry, MODELS_CREATED));
      }
      case 'response': {
        const key = await authenticate(request, 'response', log);
        return handleStoredResponse(memory, key.tenantId, request.method === 'DELETE' ? 'DELETE' : 'GET', request.url ?? '', response);
      }
      case 'chat_completions':
      case 'responses':
      case 'completions':
      case 'embeddings': {
        const key = await authenticate(request, route, log);
        // Shed before reading the body: a saturated replica spends nothing on work it will refuse.
        const qos = qosClassOf(request.headers[QOS_HEADER], key.scopes);
        if (shouldShed(qos, { inFlight: chatInFlight, eventLoopLagMs: eventLoopLag.lagMs() }, sheddingThresholds)) {
          metrics.shedRequests.inc({ reason: 'gateway_saturated', qos });
          throw new ApiError('overloaded', {
            retryAfterSeconds: qos === 'batch' ? 30 : 1,
            message: `This gateway is saturated and is shedding ${qos} requests. Retry after the number of seconds in the Retry-After header.`,
          });
        }
        chatInFlight += 1;
        try {
          const context = { ...ids, startedAt, key, log, qos };
          if (route === 'embeddings') return await handleEmbeddings(chatDeps, context, request, response);
          if (route === 'responses') return await handleGovernedCall(chatDeps, context, request, response, responsesSurface);
          if (route === 'completions') return await handleGovernedCall(chatDeps, context, request, response, COMPLETIONS_SURFACE);
          return await handleChatCompletions(chatDeps, context, request, response);
        } finally {
          chatInFlight -= 1;
        }
      }
      case 'memories': {
        const key = await authenticate(request, 'memories', log);
        const context = { ...ids, startedAt, key, log };
        if (request.method === 'POST') return handleAddMemory(memoriesDeps, context, request, response);
        const listed = await handleListMemories(memoriesDeps, context, new URL(request.url ?? '/', 'http://localhost'));
        return sendJson(response, listed.status, listed.body);
      }
      case 'memory': {
        const key = await authenticate(request, 'memories', log);
        const id = decodeURIComponentSafe(((request.url ?? '/').split('?', 1)[0] ?? '').slice(MEMORY_PATH_PREFIX.length));
        const answered = await handleMemory(memoriesDeps, { ...ids, startedAt, key, log }, request.method === 'DELETE' ? 'DELETE' : 'GET', id);
        return sendJson(response, answered.status, answered.body);
      }
      case 'feedback': {
        const key = await authenticate(request, 'feedback', log);
        return handleFeedback({ router, maxBodyBytes: chatDeps.maxBodyBytes, logger }, key, request, response);
      }
      case 'session_document':
      case 'session_document_updates':
      case 'session_document_events': {
        if (!deps.sessionDocuments) throw new ApiError('not_found');
        const caller = await authenticate(request, 'session_documents', log);
        // A key's requests per minute count every request it makes, chat and documents alike (one budget, the same key as chat's).
        const keyLimits = deps.tenantSettings ? chatDeps.limitsFor(deps.tenantSettings.settingsOf(caller.tenantId)) : limits;
        const decision = await rateLimiter.consume(limitKeys.requestsPerMinutePerKey({ tenantId: caller.tenantId, apiKeyId: caller.callerId }), { limit: keyLimits.requestsPerMinutePerKey, periodMs: 60_000, onBackendDown: keyLimits.onRedisDown.requests }, 1);
        if (!decision.allowed) throw new LimitExceededError('requests_per_minute_per_key', decision.retryAfterMs, 'requests');
        const target = matchSessionDocumentPath((request.url ?? '/').split('?', 1)[0] ?? '/');
        if (!target) throw new ApiError('not_found');
        return handleSessionDocument(
          { documents: deps.sessionDocuments, classificationOf: (tenantId) => deps.tenantSettings?.settingsOf(tenantId).defaultDataClassification ?? 'internal', streams: documentStreams, metrics },
          caller,
          target,
          request,
          response,
        );
      }
    }
  }

  const server = createServer((request, response) => {
    const startedAt = Date.now();
    // Our own id deduplicates billing and audit; the client's x-request-id is kept for correlation
    // (echoed, logged, in the usage event and the completion id, usable for feedback).
    const requestId = newRequestId();
    const clientRequestId = clientRequestIdFrom(request.headers['x-request-id']);
    const route = routeOf((request.url ?? '/').split('?', 1)[0] ?? '/');
    response.setHeader('x-request-id', clientRequestId ?? requestId);
    response.setHeader(SWITCHYARD_REQUEST_ID_HEADER, requestId);
    // Which region answered: what an operator (and the fail-over test) reads behind a load balancer.
    if (deps.region !== undefined) response.setHeader(SWITCHYARD_REGION_HEADER, deps.region);
    if (!drain.admit(request, response)) return;
    // Timed by hand, not prom-client's startTimer (two closures, an hrtime pair and a label copy per request).
    const timerStart = performance.now();
    const log = newRequestLogDraft({ requestId, clientRequestId, endpoint: route, startedAt, traceId: traceIdOf(request) });
    response.once('close', () => {
      metrics.latency.observe({ route }, (performance.now() - timerStart) / 1000);
      metrics.requests.inc({ route, status: String(response.statusCode) });
      if (route !== 'healthz' && route !== 'readyz') requestLog.record(log, response.statusCode, Date.now());
    });

    // Probes are not traced; every API request is a server span continuing the client's traceparent.
    const dispatching = () => dispatch(route, request, response, { requestId, clientRequestId }, startedAt, log);
    const traced = route === 'healthz' || route === 'readyz' ? dispatching() : startRequestSpan(request, response, HTTP_ROUTE[route], requestId).run(dispatching);
    const handling = traced.catch((error: unknown) => {
      if (response.headersSent) {
        // The stream already started: the handler has ended it with an error event if it could.
        if (!response.writableEnded) response.destroy();
        return;
      }
      const apiError = error instanceof ApiError ? error : isDatabaseUnavailableError(error) ? new ApiError('database_unavailable', { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS }) : new ApiError('internal_error');
      if (apiError.code === 'database_unavailable') logger.warn({ err: error instanceof Error ? error.message : String(error), requestId, clientRequestId }, 'database unavailable');
      else if (!(error instanceof ApiError)) logger.error({ err: error, requestId, clientRequestId }, 'unhandled error');
      log.errorCode = apiError.code;
      if (!log.caller && error instanceof KnownKeyRefusedError) log.caller = { tenantId: error.tenantId, apiKeyId: error.apiKeyId, userId: null };
      if (apiError.code === 'request_too_large') {
        // We stopped reading mid-body: close the connection rather than drain an attacker's upload.
        response.setHeader('connection', 'close');
        response.once('finish', () => request.destroy());
      }
      sendError(response, apiError);
    });
    inFlight.add(handling);
    void handling.finally(() => inFlight.delete(handling));
  });
  answerClientErrors(server, {
    render: (kind) => ({ contentType: 'application/json; charset=utf-8', body: JSON.stringify(new ApiError(CLIENT_ERROR_CODES[kind]).toBody()) }),
    onRefused: (kind, status, code) => logger.debug({ kind, status, parserCode: code }, 'request refused by the HTTP parser'),
  });
  const drain = createHttpDrain(server, (response) => {
    metrics.requests.inc({ route: 'refused', status: '503' });
    sendError(response, new ApiError('shutting_down', { retryAfterSeconds: 1 }));
  });

  return {
    server,
    drain: (options) => drain.drain(options),
    metrics: metrics.registry,
    async close() {
      closing = true;
      for (const stream of documentStreams) stream.end();
      if (!deps.qos?.eventLoopLag) eventLoopLag.stop();
      await subscribed;
      await unsubscribeEviction?.();
      await policyPreload;
      await (await policySubscription)?.();
      await (await observing)?.();
      await (await followingFederation)?.();
      if (server.listening) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await closed;
      }
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      while (settling.size > 0) await Promise.all([...settling]);
      await usage.drain();
      await requestLog.drain();
      await observations.close();
      // Only the default, which this app created; a given vector memory is its owner's to close.
      if (!deps.vectorMemory) await vectorMemory.close();
    },
  };
}

/** The id in `/v1/models/{id}` (route names may hold `/`; percent-encoding is undone). */
function modelIdFrom(url: string): string {
  return decodeURIComponentSafe((url.split('?', 1)[0] ?? '').slice('/v1/models/'.length));
}

/** A path segment as text; a malformed escape is kept as sent (it then names no memory). */
function decodeURIComponentSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The request's trace: the active span's when an SDK samples it, else the client's `traceparent`. */
function traceIdOf(request: IncomingMessage): string | null {
  const span = trace.getActiveSpan()?.spanContext();
  if (span && isSpanContextValid(span)) return span.traceId;
  return traceIdFromHeader(request.headers.traceparent);
}
