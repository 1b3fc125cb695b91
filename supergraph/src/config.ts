import { redisEnvShape } from '@switchyard/data-plane/config';
import { shutdownEnv } from '@switchyard/subgraph-kit/config';
import { z } from 'zod';
import { tracingEnvShape } from '@switchyard/tracing';
import { subscriptionLimitsEnvShape } from './subscriptions/subscription-limits';

/** Apollo's gateway phones home and probes cloud metadata addresses unless this is set (DESIGN.md §4). */
export function disableApolloTelemetry(): void {
  process.env.APOLLO_TELEMETRY_DISABLED = '1';
}

const booleanText = z.enum(['true', 'false']).transform((value) => value === 'true');
const jsonObject = (name: string) =>
  z.string().transform((text, ctx) => {
    try {
      return z.record(z.string(), z.unknown()).parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: `${name} must be a JWK as JSON text` });
      return z.NEVER;
    }
  });

/** Environment of a standalone supergraph gateway, read once and validated with zod. */
const envSchema = z.object({
  SUPERGRAPH_HOST: z.string().min(1).default('127.0.0.1'),
  SUPERGRAPH_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  TENANTS_SUBGRAPH_URL: z.url('TENANTS_SUBGRAPH_URL must be an http(s) URL').default('http://127.0.0.1:4101/graphql'),
  COST_SUBGRAPH_URL: z.url('COST_SUBGRAPH_URL must be an http(s) URL').default('http://127.0.0.1:4104/graphql'),
  DP_SUBGRAPH_URL: z.url('DP_SUBGRAPH_URL must be an http(s) URL').default('http://127.0.0.1:4106/graphql'),
  AUDIT_SUBGRAPH_URL: z.url('AUDIT_SUBGRAPH_URL must be an http(s) URL').default('http://127.0.0.1:4105/graphql'),
  POLICY_SUBGRAPH_URL: z.url('POLICY_SUBGRAPH_URL must be an http(s) URL').default('http://127.0.0.1:4102/graphql'),
  EXPERIMENTS_SUBGRAPH_URL: z.url('EXPERIMENTS_SUBGRAPH_URL must be an http(s) URL').default('http://127.0.0.1:4103/graphql'),
  SLO_SUBGRAPH_URL: z.url('SLO_SUBGRAPH_URL must be an http(s) URL').default('http://127.0.0.1:4107/graphql'),
  MEMORY_SUBGRAPH_URL: z.url('MEMORY_SUBGRAPH_URL must be an http(s) URL').default('http://127.0.0.1:4108/graphql'),
  OIDC_ISSUER: z.url('OIDC_ISSUER must be the issuer URL').default('http://127.0.0.1:4400'),
  OIDC_AUDIENCE: z.string().min(1).default('urn:switchyard:api'),
  /** Default: discovered from the issuer. */
  OIDC_JWKS_URI: z.url().optional(),
  /**
   * Postgres of the platform: people's tenant and role come from its members table, and integrations may call with
   * admin-scoped API keys. Unset: the gateway trusts the tenant and role claims of the issuer's tokens (tests, or an
   * IdP that issues them), and refuses API keys.
   */
  DATABASE_URL: z.url('DATABASE_URL must be a postgres:// URL').optional().or(z.literal('').transform(() => undefined)),
  /** The tenant pool's login (role switchyard_app); unset: DATABASE_URL as user switchyard_app without a password. */
  DATABASE_TENANT_URL: z.url('DATABASE_TENANT_URL must be a postgres:// URL').optional().or(z.literal('').transform(() => undefined)),
  /** REDIS_URL and REDIS_KEY_PREFIX as every deployable reads them (one default prefix: none). */
  ...redisEnvShape,
  /** The gateway's Ed25519 private key for internal tokens, as a JWK (JSON text). */
  INTERNAL_TOKEN_PRIVATE_JWK: jsonObject('INTERNAL_TOKEN_PRIVATE_JWK'),
  /** Comma-separated browser origins allowed to call the API (the console). */
  CORS_ORIGINS: z
    .string()
    .default('http://127.0.0.1:3000')
    .transform((text) => text.split(',').map((origin) => origin.trim()).filter(Boolean)),
  GRAPHQL_INTROSPECTION: booleanText.default(false),
  /** off | allow (resolve persisted hashes, accept full documents) | require (PERSISTED_QUERY_CLIENTS may send only allowlisted operations). */
  PERSISTED_QUERIES: z.enum(['off', 'allow', 'require']).default('allow'),
  /** Comma-separated `apollographql-client-name` values pinned to the allowlist in `require` mode. */
  PERSISTED_QUERY_CLIENTS: z
    .string()
    .default('switchyard-console')
    .transform((text) => text.split(',').map((name) => name.trim()).filter(Boolean)),
  /** SIGTERM: SHUTDOWN_GRACE_MS, SHUTDOWN_TIMEOUT_MS as every server reads them. */
  ...shutdownEnv,
  /** graphql-ws sockets (default 10) and active subscriptions (default 100) per principal (a person or an API key). */
  ...subscriptionLimitsEnvShape,
  /** OpenTelemetry export (OTEL_EXPORTER_OTLP_ENDPOINT, …): off unless an endpoint is set. */
  ...tracingEnvShape,
});

export type SupergraphConfig = z.output<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SupergraphConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new Error(`Invalid environment for the supergraph gateway:\n${problems}`);
  }
  return result.data;
}
