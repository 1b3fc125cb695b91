import { z } from 'zod';
import type { ProviderConfig } from './adapters/provider-registry';
import { routesSchema, type Route } from './router/route';
import type { LimitsConfig } from './ingress/limits/limits-config';
import { limitsEnvShape, limitsFromEnv } from './ingress/limits/limits-env';
import { providersEnvShape } from './adapters/providers-env';
import { jsonEnv } from './json-env';

/** The data plane's environment, parsed once; every problem is reported together at start-up. */
const envSchema = z.object({
  DATA_PLANE_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  DATA_PLANE_HOST: z.string().min(1).default('127.0.0.1'),
  /** When set, the bus and rate limiter use Redis; otherwise in-process implementations. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  REDIS_KEY_PREFIX: z.string().default(''),
  ...providersEnvShape,
  /** JSON array of routes (see src/router/route.ts): [{"name","candidates":[{"model"}],"strategy":{"kind":"weighted"}}]. */
  DATA_PLANE_ROUTES: jsonEnv(routesSchema, 'a JSON array of routes', []),
  ...limitsEnvShape,
  DATA_PLANE_MAX_BODY_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  /** OIDC issuer whose access tokens are accepted next to API keys (e.g. the bundled http://127.0.0.1:4400); unset: API keys only. */
  DATA_PLANE_OIDC_ISSUER: z.url('must be the issuer URL').optional().or(z.literal('').transform(() => undefined)),
  DATA_PLANE_OIDC_AUDIENCE: z.string().min(1).default('urn:switchyard:api'),
  /** Default: discovered from the issuer. */
  DATA_PLANE_OIDC_JWKS_URI: z.url().optional(),
  /** Claim that names the caller's tenant id; unset: the tenant comes from the members table (subject, then email). */
  DATA_PLANE_OIDC_TENANT_CLAIM: z.string().min(1).optional(),
  /** JSON object: token scope -> data-plane scopes it grants. */
  DATA_PLANE_OIDC_SCOPE_MAP: jsonEnv(z.record(z.string(), z.array(z.string().min(1))), 'a JSON object like {"inference":["inference"]}', { inference: ['inference'] }),
  DATA_PLANE_OIDC_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface DataPlaneConfig {
  port: number;
  host: string;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  providers: ProviderConfig[];
  routes: Route[];
  requestsPerMinutePerKey: number;
  /** Every request and token limit, and what each does while Redis is down. */
  limits: LimitsConfig;
  maxBodyBytes: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** Accept OIDC access tokens from this issuer; undefined: API keys only. */
  oidc: { issuer: string; audience: string; jwksUri: string | undefined; tenantClaim: string | undefined; scopeMap: Record<string, string[]>; clockToleranceSeconds: number } | undefined;
}

export function loadDataPlaneConfig(env: NodeJS.ProcessEnv = process.env): DataPlaneConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid data-plane configuration: ${problems}`);
  }
  const e = parsed.data;
  const limits = limitsFromEnv(e);
  return {
    port: e.DATA_PLANE_PORT,
    host: e.DATA_PLANE_HOST,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    providers: e.DATA_PLANE_PROVIDERS,
    routes: e.DATA_PLANE_ROUTES,
    requestsPerMinutePerKey: limits.requestsPerMinutePerKey,
    limits,
    maxBodyBytes: e.DATA_PLANE_MAX_BODY_BYTES,
    logLevel: e.LOG_LEVEL,
    oidc: e.DATA_PLANE_OIDC_ISSUER
      ? {
          issuer: e.DATA_PLANE_OIDC_ISSUER,
          audience: e.DATA_PLANE_OIDC_AUDIENCE,
          jwksUri: e.DATA_PLANE_OIDC_JWKS_URI,
          tenantClaim: e.DATA_PLANE_OIDC_TENANT_CLAIM,
          scopeMap: e.DATA_PLANE_OIDC_SCOPE_MAP,
          clockToleranceSeconds: e.DATA_PLANE_OIDC_CLOCK_TOLERANCE_SECONDS,
        }
      : undefined,
  };
}
