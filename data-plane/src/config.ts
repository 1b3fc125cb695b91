import { DEFAULT_SESSION_WINDOW_LIMITS, type SessionWindowLimits } from '@switchyard/memory/session';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { REGION_PATTERN } from '@switchyard/db/tenant-settings';
import { redisUrlProblem } from '@switchyard/redis-connection';
import type { ProviderConfig } from './adapters/provider-registry';
import { demoRoutesFor } from './router/demo-routes';
import { parseRoutes, routesSchema, type Route } from './router/route';
import { parseLimitsConfig, type LimitsConfig } from './ingress/limits/limits-config';
import type { OidcAuthenticationConfig } from './ingress/oidc-authentication';
import { jsonEnv } from './json-env';
import { tracingConfigOf, tracingEnvShape, type TracingConfig } from '@switchyard/tracing';

// @switchyard/data-plane/config: every environment variable of the data plane, defined once, and
// the shapes other deployables spread into their own schema (Redis, providers and routes, limits).
export type { ProviderConfig } from './adapters/provider-registry';
export type { LimitsConfig, LimitsConfigInput } from './ingress/limits/limits-config';

/** `<repo>/` from `data-plane/src/` and from the bundle in `data-plane/dist/` alike. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `VAR=` (empty) means unset, as shells and container runtimes commonly pass it. */
const emptyIsUnset = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/**
 * Redis, as every deployable that touches it reads it (data plane, `npm start`, standalone
 * subgraphs, supergraph): one default, so processes on one REDIS_URL always meet on the same names.
 */
export const redisEnvShape = {
  /**
   * When set, the bus, rate limiter and feedback log use Redis; otherwise in-process implementations.
   * `redis://` / `rediss://` name one node; `redis+cluster://host:port,host:port` (or `rediss+cluster://`)
   * a Redis Cluster through its seed nodes (`@switchyard/redis-connection`).
   */
  REDIS_URL: emptyIsUnset(
    z.string().superRefine((url, ctx) => {
      const problem = redisUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  ),
  /**
   * Prepended to every Redis key, stream and channel, so several installations can share one Redis.
   * Default empty: the names themselves already start with `switchyard:` (see shared-state.ts).
   * No braces: keys carry Redis Cluster hash tags after the prefix, and a brace in it would change them.
   */
  REDIS_KEY_PREFIX: z.string().regex(/^[^{}]*$/, 'must not contain { or } (they would change the keys\' Redis Cluster hash tags)').default(''),
};

/**
 * The memory fabric's session window (@switchyard/memory/session): how long sessions and stored
 * responses live, how much of a conversation is kept, and each tenant's quota of stored responses.
 */
export const memoryEnvShape = {
  MEMORY_TTL_SECONDS: z.coerce.number().int().min(60).max(90 * 24 * 3600).default(DEFAULT_SESSION_WINDOW_LIMITS.ttlSeconds),
  MEMORY_MAX_TURNS: z.coerce.number().int().min(1).max(1_000).default(DEFAULT_SESSION_WINDOW_LIMITS.maxTurns),
  MEMORY_MAX_WINDOW_BYTES: z.coerce.number().int().min(1_024).max(16 * 1024 * 1024).default(DEFAULT_SESSION_WINDOW_LIMITS.maxWindowBytes),
  MEMORY_MAX_RESPONSES_PER_TENANT: z.coerce.number().int().min(1).max(10_000_000).default(DEFAULT_SESSION_WINDOW_LIMITS.maxResponsesPerTenant),
  MEMORY_MAX_BYTES_PER_TENANT: z.coerce.number().int().min(1_024).max(64 * 1024 * 1024 * 1024).default(DEFAULT_SESSION_WINDOW_LIMITS.maxBytesPerTenant),
};

const providerSchema = z.object({
  name: z.string().min(1),
  kind: z.enum(['mock', 'openai-compatible', 'anthropic']),
  baseUrl: z.url().optional(),
  apiKey: z.string().min(1).optional(),
  models: z.array(z.string().min(1)).min(1),
  idleTimeoutMs: z.number().int().positive().optional(),
  answerTimeoutMs: z.number().int().positive().max(3_600_000).optional(),
  wholeAnswers: z.boolean().optional(),
  /** Where the provider processes data (data-locality policies, tenants' allowed regions); default `unspecified`. */
  region: z.string().regex(REGION_PATTERN, 'a short token like eu-west-1').optional(),
  mock: z.object({ directives: z.string().max(500), firstRequests: z.number().int().positive().optional() }).optional(),
});

/** Unset: the deterministic mock provider only (nothing leaves the machine). */
export const DEFAULT_PROVIDERS: ProviderConfig[] = [{ name: 'mock', kind: 'mock', models: ['mock-gpt', 'mock-large', 'mock-mini', 'mock-judge', 'mock-embed-1'] }];

/**
 * `DATA_PLANE_PROVIDERS`, shared by the standalone data plane and `npm start`: a JSON array of
 * providers [{"name","kind":"mock"|"openai-compatible"|"anthropic","baseUrl","apiKey","models":[...],"region"}];
 * openai-compatible also "idleTimeoutMs" (a stream's silence, default 60 s), "answerTimeoutMs" (a whole
 * non-streaming answer, default 10 min) and "wholeAnswers" (false: always ask for a stream).
 */
const providersEnvShape = {
  DATA_PLANE_PROVIDERS: jsonEnv<ProviderConfig[]>(z.array(providerSchema).min(1), 'a JSON array of providers', DEFAULT_PROVIDERS),
};

/**
 * The operator metrics listener, as every deployable that serves metrics reads it (data plane,
 * `npm start`, the dp subgraph): `GET /metrics` on its own port, never on a public one
 * (SECURITY.md "Metrics exposure"). Port 9464 (the conventional OpenTelemetry Prometheus exporter port) and loopback by default.
 */
export const metricsEnvShape = {
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** When set, scrapes need `Authorization: Bearer <METRICS_TOKEN>` (at least 16 characters). */
  METRICS_TOKEN: emptyIsUnset(z.string().min(16, 'must be at least 16 characters')),
  /**
   * `off` (default): no tenant-chosen string (tenant route names, tenant ids, dataset names) in any
   * label value; tenant routes count as route="(tenant)", budgets only by state. `on`: the raw
   * names, for an operator who accepts the cardinality and the exposure.
   */
  METRICS_TENANT_LABELS: z.enum(['off', 'on']).default('off'),
};

/** The operator metrics listener's settings (from {@link metricsEnvShape}). */
export interface MetricsConfig {
  port: number;
  host: string;
  token: string | undefined;
  /** Tenant route names, tenant ids and dataset names as label values (METRICS_TENANT_LABELS=on). */
  tenantLabels: boolean;
}

export function metricsConfigFromEnv(e: { METRICS_PORT: number; METRICS_HOST: string; METRICS_TOKEN?: string | undefined; METRICS_TENANT_LABELS: 'off' | 'on' }): MetricsConfig {
  return { port: e.METRICS_PORT, host: e.METRICS_HOST, token: e.METRICS_TOKEN, tenantLabels: e.METRICS_TENANT_LABELS === 'on' };
}

/**
 * The data planes' upstream providers and the platform's routes, read by every data plane and by the
 * experiments subgraph (tenant routes may fall back to the platform's): one default for all of them.
 */
export const routesEnvShape = {
  ...providersEnvShape,
  /**
   * JSON array of routes (see src/router/route.ts): [{"name","candidates":[{"model"}],"strategy":{"kind":"weighted"}}].
   * Unset: the demo routes whose models the providers serve (router/demo-routes.ts).
   */
  DATA_PLANE_ROUTES: jsonEnv<Route[] | undefined>(routesSchema, 'a JSON array of routes', undefined),
};

/** The platform's routes from a parsed {@link routesEnvShape}: DATA_PLANE_ROUTES, else the demo routes the providers serve. */
export function platformRoutesFromEnv(e: { DATA_PLANE_PROVIDERS: ProviderConfig[]; DATA_PLANE_ROUTES: Route[] | undefined }): Route[] {
  return e.DATA_PLANE_ROUTES ?? parseRoutes(demoRoutesFor(e.DATA_PLANE_PROVIDERS));
}

const positiveLimit = z.coerce.number().int().positive().optional();
const backendDownMode = z.enum(['local', 'open', 'closed']).optional();

/**
 * The environment variables that set every request and token limit, read by every data plane and
 * by the tenants subgraph (the platform's quotas a tenant's overrides replace). Unset = the
 * default in ingress/limits/limits-config.ts.
 */
export const limitsEnvShape = {
  DATA_PLANE_REQUESTS_PER_MINUTE: positiveLimit,
  DATA_PLANE_REQUESTS_PER_MINUTE_PER_TENANT: positiveLimit,
  DATA_PLANE_TOKENS_PER_MINUTE_PER_KEY: positiveLimit,
  DATA_PLANE_TOKENS_PER_MINUTE_PER_TENANT: positiveLimit,
  DATA_PLANE_TOKENS_PER_DAY_PER_KEY: positiveLimit,
  DATA_PLANE_TOKENS_PER_DAY_PER_TENANT: positiveLimit,
  DATA_PLANE_SOFT_LIMIT_RATIO: z.coerce.number().gt(0).lt(1).optional(),
  DATA_PLANE_DEFAULT_COMPLETION_TOKENS: positiveLimit,
  /** Per limit type while Redis is down: local | open | closed (FAILURE-MODES.md). */
  DATA_PLANE_ON_REDIS_DOWN_REQUESTS: backendDownMode,
  DATA_PLANE_ON_REDIS_DOWN_TOKENS_PER_MINUTE: backendDownMode,
  DATA_PLANE_ON_REDIS_DOWN_TOKENS_PER_DAY: backendDownMode,
  /** A limiter call to Redis slower than this counts as Redis down (the limit then falls back per type; default 500). */
  DATA_PLANE_REDIS_LIMITER_TIMEOUT_MS: positiveLimit,
};

export type LimitsEnv = { [K in keyof typeof limitsEnvShape]?: z.output<(typeof limitsEnvShape)[K]> };

/** The limits an already parsed {@link limitsEnvShape} sets. */
export function limitsFromEnv(e: LimitsEnv): LimitsConfig {
  return parseLimitsConfig({
    requestsPerMinutePerKey: e.DATA_PLANE_REQUESTS_PER_MINUTE,
    requestsPerMinutePerTenant: e.DATA_PLANE_REQUESTS_PER_MINUTE_PER_TENANT,
    tokensPerMinutePerKey: e.DATA_PLANE_TOKENS_PER_MINUTE_PER_KEY,
    tokensPerMinutePerTenant: e.DATA_PLANE_TOKENS_PER_MINUTE_PER_TENANT,
    tokensPerDayPerKey: e.DATA_PLANE_TOKENS_PER_DAY_PER_KEY,
    tokensPerDayPerTenant: e.DATA_PLANE_TOKENS_PER_DAY_PER_TENANT,
    softLimitRatio: e.DATA_PLANE_SOFT_LIMIT_RATIO,
    defaultCompletionTokens: e.DATA_PLANE_DEFAULT_COMPLETION_TOKENS,
    onRedisDown: {
      requests: e.DATA_PLANE_ON_REDIS_DOWN_REQUESTS,
      tokensPerMinute: e.DATA_PLANE_ON_REDIS_DOWN_TOKENS_PER_MINUTE,
      tokensPerDay: e.DATA_PLANE_ON_REDIS_DOWN_TOKENS_PER_DAY,
    },
    redisTimeoutMs: e.DATA_PLANE_REDIS_LIMITER_TIMEOUT_MS,
  });
}

/**
 * The data plane's environment, defined once: the standalone data plane parses it on its own and
 * `npm start` (platform/src/config.ts) spreads it into its schema, so both read the same names
 * with the same defaults. Key order decides the order start-up problems are listed in.
 */
export const dataPlaneEnvShape = {
  DATA_PLANE_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** Default: loopback for the standalone data plane, SWITCHYARD_HOST under `npm start`. */
  DATA_PLANE_HOST: emptyIsUnset(z.string().min(1)),
  /** Postgres; unset: the embedded PGlite in SWITCHYARD_DATA_DIR/pglite. */
  DATABASE_URL: emptyIsUnset(z.string().trim().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')),
  /** The tenant pool's login (role switchyard_app); unset: DATABASE_URL as user switchyard_app without a password. */
  DATABASE_TENANT_URL: emptyIsUnset(z.string().trim().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')),
  /** The embedded database, and the embedded master keyring when SWITCHYARD_MASTER_KEYS is unset. */
  SWITCHYARD_DATA_DIR: z.string().min(1).default(path.join(REPO_ROOT, '.data')),
  /**
   * This deployment's region (issue 14), e.g. `region-a`: a tenant pinned to another home region is
   * refused here with 503 `region_not_allowed`. Unset: one-region deployment, every tenant served.
   */
  SWITCHYARD_REGION: emptyIsUnset(z.string().regex(REGION_PATTERN, 'a short token like region-a')),
  ...redisEnvShape,
  /**
   * Master keys that wrap every tenant's data key (tenant provider credentials at rest): JSON
   * {"<id>": "<base64, 32 bytes>", …} or "<id>:<base64>,<id>:<base64>"; checked at start-up.
   * Unset: the keyring in SWITCHYARD_DATA_DIR/keys (generated there on first start).
   */
  SWITCHYARD_MASTER_KEYS: emptyIsUnset(z.string()),
  /** Which of SWITCHYARD_MASTER_KEYS wraps new data keys (optional with a single key); the others only unwrap. */
  SWITCHYARD_MASTER_KEY_ID: emptyIsUnset(z.string()),
  ...routesEnvShape,
  ...limitsEnvShape,
  DATA_PLANE_MAX_BODY_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  /** Session documents (memory fabric): the largest single Yjs update, decoded (413 `session_document_update_too_large`). */
  DATA_PLANE_SESSION_DOCUMENT_MAX_UPDATE_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
  /** The largest a session document may grow in the store (413 `session_document_too_large`). */
  DATA_PLANE_SESSION_DOCUMENT_MAX_BYTES: z.coerce.number().int().min(1024).max(256 * 1024 * 1024).default(1024 * 1024),
  /** Session documents one tenant may hold (429 `session_document_quota_exceeded` for a new one past it). */
  DATA_PLANE_SESSION_DOCUMENTS_PER_TENANT: z.coerce.number().int().positive().default(1000),
  ...memoryEnvShape,
  /** OIDC issuer whose access tokens are accepted next to API keys (e.g. the bundled http://127.0.0.1:4400); unset: API keys only (`npm start`: its own issuer). */
  DATA_PLANE_OIDC_ISSUER: emptyIsUnset(z.url('must be the issuer URL')),
  DATA_PLANE_OIDC_AUDIENCE: z.string().min(1).default('urn:switchyard:api'),
  /** Default: discovered from the issuer. */
  DATA_PLANE_OIDC_JWKS_URI: emptyIsUnset(z.url()),
  /** Claim that names the caller's tenant id; unset: the tenant comes from the members table (subject, then email). */
  DATA_PLANE_OIDC_TENANT_CLAIM: emptyIsUnset(z.string().min(1)),
  /** JSON object: token scope -> data-plane scopes it grants. */
  DATA_PLANE_OIDC_SCOPE_MAP: jsonEnv(z.record(z.string(), z.array(z.string().min(1))), 'a JSON object like {"inference":["inference"]}', { inference: ['inference'] }),
  DATA_PLANE_OIDC_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  ...metricsEnvShape,
  /** OpenTelemetry export (OTEL_EXPORTER_OTLP_ENDPOINT, …): off unless an endpoint is set. */
  ...tracingEnvShape,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** After SIGTERM: how long new requests are still served (with `Connection: close`, /readyz already 503) so load balancers notice. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
  /** After the grace: how long in-flight requests and streams may take to finish before they are cut (then events are flushed and the process exits). */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(20_000),
};

const envSchema = z.object(dataPlaneEnvShape);

/** The parsed variables of {@link dataPlaneEnvShape} (a platform environment has them all). */
export type DataPlaneEnv = z.output<typeof envSchema>;

export interface DataPlaneConfig {
  port: number;
  host: string;
  /** Postgres; undefined: the embedded PGlite in `<dataDir>/pglite`. */
  databaseUrl: string | undefined;
  /** The tenant pool's connection string (role switchyard_app); undefined: derived from databaseUrl. */
  databaseTenantUrl?: string | undefined;
  dataDir: string;
  /** SWITCHYARD_REGION; undefined: not region-aware (serves every tenant). */
  region?: string | undefined;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  /** Not an environment variable: embedders and the benchmark's A/B set it (shared-state.ts); default 2 ms. */
  rateLimitSettleLingerMs?: number;
  /** SWITCHYARD_MASTER_KEYS / SWITCHYARD_MASTER_KEY_ID as given; unset keys: the keyring in `<dataDir>/keys`. */
  masterKeys: { keys: string | undefined; activeKeyId: string | undefined };
  providers: ProviderConfig[];
  /** The platform's routes: every tenant may send their names as `model` unless it has a route of that name. */
  routes: Route[];
  requestsPerMinutePerKey: number;
  /** Every request and token limit, and what each does while Redis is down. */
  limits: LimitsConfig;
  maxBodyBytes: number;
  /** Session documents' bounds (DATA_PLANE_SESSION_DOCUMENT_*); absent: the package defaults. */
  sessionDocuments?: { maxUpdateBytes: number; maxDocumentBytes: number; maxDocumentsPerTenant: number };
  /** The session window's TTL, sizes and per-tenant quota (MEMORY_*). */
  memory: SessionWindowLimits;
  logLevel: DataPlaneEnv['LOG_LEVEL'];
  /** SIGTERM: SHUTDOWN_GRACE_MS and SHUTDOWN_TIMEOUT_MS. */
  shutdown: { graceMs: number; timeoutMs: number };
  /** Accept OIDC access tokens from this issuer; undefined: API keys only. */
  oidc: OidcAuthenticationConfig | undefined;
  /** The operator metrics listener (never the public port) and what label values may carry. */
  metrics: MetricsConfig;
  /** Where traces go (OTLP/HTTP); `endpoint` undefined: tracing off, nothing registered. */
  tracing: TracingConfig;
}

export interface DataPlaneDefaults {
  /** Where to listen when DATA_PLANE_HOST is unset. */
  host: string;
  /** Whose access tokens to accept when DATA_PLANE_OIDC_ISSUER is unset (`npm start`: its bundled issuer); absent: none. */
  oidcIssuer?: string;
}

/** The data plane's configuration from an already parsed environment (standalone or `npm start`). */
export function dataPlaneConfigFromEnv(e: DataPlaneEnv, defaults: DataPlaneDefaults): DataPlaneConfig {
  const limits = limitsFromEnv(e);
  const issuer = e.DATA_PLANE_OIDC_ISSUER ?? defaults.oidcIssuer;
  return {
    port: e.DATA_PLANE_PORT,
    host: e.DATA_PLANE_HOST ?? defaults.host,
    databaseUrl: e.DATABASE_URL,
    databaseTenantUrl: e.DATABASE_TENANT_URL,
    dataDir: e.SWITCHYARD_DATA_DIR,
    region: e.SWITCHYARD_REGION,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    masterKeys: { keys: e.SWITCHYARD_MASTER_KEYS, activeKeyId: e.SWITCHYARD_MASTER_KEY_ID },
    providers: e.DATA_PLANE_PROVIDERS,
    routes: platformRoutesFromEnv(e),
    requestsPerMinutePerKey: limits.requestsPerMinutePerKey,
    limits,
    maxBodyBytes: e.DATA_PLANE_MAX_BODY_BYTES,
    sessionDocuments: {
      maxUpdateBytes: e.DATA_PLANE_SESSION_DOCUMENT_MAX_UPDATE_BYTES,
      maxDocumentBytes: e.DATA_PLANE_SESSION_DOCUMENT_MAX_BYTES,
      maxDocumentsPerTenant: e.DATA_PLANE_SESSION_DOCUMENTS_PER_TENANT,
    },
    memory: {
      ttlSeconds: e.MEMORY_TTL_SECONDS,
      maxTurns: e.MEMORY_MAX_TURNS,
      maxWindowBytes: e.MEMORY_MAX_WINDOW_BYTES,
      maxResponsesPerTenant: e.MEMORY_MAX_RESPONSES_PER_TENANT,
      maxBytesPerTenant: e.MEMORY_MAX_BYTES_PER_TENANT,
    },
    logLevel: e.LOG_LEVEL,
    shutdown: { graceMs: e.SHUTDOWN_GRACE_MS, timeoutMs: e.SHUTDOWN_TIMEOUT_MS },
    metrics: metricsConfigFromEnv(e),
    tracing: tracingConfigOf(e),
    oidc: issuer
      ? {
          issuer,
          audience: e.DATA_PLANE_OIDC_AUDIENCE,
          jwksUri: e.DATA_PLANE_OIDC_JWKS_URI,
          tenantClaim: e.DATA_PLANE_OIDC_TENANT_CLAIM,
          scopeMap: e.DATA_PLANE_OIDC_SCOPE_MAP,
          clockToleranceSeconds: e.DATA_PLANE_OIDC_CLOCK_TOLERANCE_SECONDS,
        }
      : undefined,
  };
}

/** The standalone data plane's environment, parsed once; every problem is reported together at start-up. */
export function loadDataPlaneConfig(env: NodeJS.ProcessEnv = process.env): DataPlaneConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid data-plane configuration: ${problems}`);
  }
  return dataPlaneConfigFromEnv(parsed.data, { host: '127.0.0.1' });
}
