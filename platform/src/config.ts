import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { optimizerEnvShape } from '@switchyard/cost-optimizer';
import { dataPlaneConfigFromEnv, dataPlaneEnvShape, type DataPlaneConfig } from '@switchyard/data-plane/config';
import { auditLedgerEnvShape } from '@switchyard/subgraph-audit/config';
import { alertWebhookEnvShape } from '@switchyard/subgraph-tenants/webhook-env';
import { streamConsumerEnv } from '@switchyard/subgraph-kit/config';
import { subscriptionLimitsEnvShape } from '@switchyard/supergraph/subscription-limits';
import { z } from 'zod';

/** Everything `npm start` and the operator CLI read from the environment, parsed once. */
export const COMPONENTS = ['oidc', 'tenants', 'cost', 'dp', 'audit', 'policy', 'experiments', 'slo', 'memory', 'gateway', 'data-plane', 'cost-optimizer', 'console'] as const;
export type Component = (typeof COMPONENTS)[number];

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** `VAR=` (empty) means unset, as shells and container runtimes commonly pass it. */
const optionalUrl = z.preprocess((value) => (value === '' ? undefined : value), z.string().url().optional());

const envSchema = z.object({
  /**
   * The data plane's variables, as the standalone data plane reads them (one schema, one set of
   * defaults): DATABASE_URL, SWITCHYARD_DATA_DIR, REDIS_URL, REDIS_KEY_PREFIX, SWITCHYARD_MASTER_KEYS,
   * SWITCHYARD_MASTER_KEY_ID, DATA_PLANE_* (port, providers, routes, limits, OIDC), LOG_LEVEL.
   */
  ...dataPlaneEnvShape,
  /** The audit ledger's keys, witnesses and checkpoint cadence, as the standalone audit subgraph reads them. */
  ...auditLedgerEnvShape,
  /** ALERT_WEBHOOK_ALLOWED_CIDRS: non-public addresses tenants' alert webhooks may reach (default none), as the standalone tenants subgraph reads it. */
  ...alertWebhookEnvShape,
  /** SUBSCRIPTIONS_MAX_SOCKETS_PER_PRINCIPAL, SUBSCRIPTIONS_MAX_PER_PRINCIPAL: the gateway's graphql-ws caps, as the standalone gateway reads them. */
  ...subscriptionLimitsEnvShape,
  /** OPTIMIZER_INTERVAL_MS, OPTIMIZER_WINDOW_MS, OPTIMIZER_CANARY_SHARE, as the standalone cost optimizer reads them. */
  ...optimizerEnvShape,
  /** STREAM_CLAIM_IDLE_MS: when a surviving consumer takes over a dead replica's pending entries, as the standalone subgraphs read it. */
  ...streamConsumerEnv,
  SWITCHYARD_HOST: z.string().default('127.0.0.1'),
  SWITCHYARD_COMPONENTS: z
    .string()
    .default(COMPONENTS.join(','))
    .transform((value, ctx) => {
      const names = value.split(',').map((name) => name.trim()).filter(Boolean);
      const unknown = names.filter((name) => !(COMPONENTS as readonly string[]).includes(name));
      if (unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `unknown component(s) ${unknown.join(', ')}; known: ${COMPONENTS.join(', ')}` });
      }
      return new Set(names as Component[]);
    }),
  SWITCHYARD_ADMIN_LOGIN: z.string().min(1).default('admin'),
  SWITCHYARD_ADMIN_PASSWORD: z.string().min(8).default('switchyard-admin'),
  SWITCHYARD_ADMIN_EMAIL: z.string().email().default('admin@switchyard.local'),
  /**
   * Optional second platform admin on the bundled OIDC issuer (both login and password set), so
   * a policy proposed by the first admin can be approved by a different one from the console.
   */
  SWITCHYARD_SECOND_ADMIN_LOGIN: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional()),
  SWITCHYARD_SECOND_ADMIN_PASSWORD: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(8).optional()),
  SWITCHYARD_SECOND_ADMIN_EMAIL: z.string().email().default('second-admin@switchyard.local'),
  /**
   * Optional account without any platform role on the bundled OIDC issuer (both login and password
   * set): what it may do comes from the members table only, so a tenant admin can add it as a
   * viewer, operator or tenant_admin and see the console as that role.
   */
  SWITCHYARD_MEMBER_LOGIN: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional()),
  SWITCHYARD_MEMBER_PASSWORD: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(8).optional()),
  SWITCHYARD_MEMBER_EMAIL: z.string().email().default('member@switchyard.local'),
  OIDC_ISSUER: optionalUrl,
  CONSOLE_PORT: port(3000),
  SUPERGRAPH_PORT: port(4000),
  TENANTS_SUBGRAPH_PORT: port(4101),
  COST_SUBGRAPH_PORT: port(4104),
  DP_SUBGRAPH_PORT: port(4106),
  AUDIT_SUBGRAPH_PORT: port(4105),
  POLICY_SUBGRAPH_PORT: port(4102),
  EXPERIMENTS_SUBGRAPH_PORT: port(4103),
  SLO_SUBGRAPH_PORT: port(4107),
  MEMORY_SUBGRAPH_PORT: port(4108),
  /** How often the SLO evaluator reads the burn rates (alerts and the auto-throttle act on its rounds). */
  SLO_EVALUATION_INTERVAL_MS: z.coerce.number().int().min(1_000).max(300_000).default(15_000),
  OIDC_PORT: port(4400),
  /** The console may send only the operations of its allowlist (supergraph/persisted-operations.json); integrators are not limited. */
  PERSISTED_QUERIES: z.enum(['off', 'allow', 'require']).default('require'),
});

export type PlatformEnv = z.infer<typeof envSchema>;

/** The bundled OIDC issuer's URL (or OIDC_ISSUER): the console signs in there, the gateway and data plane accept its tokens. */
export function platformOidcIssuer(env: PlatformEnv): string {
  return env.OIDC_ISSUER ?? `http://${env.SWITCHYARD_HOST}:${env.OIDC_PORT}`;
}

/**
 * The data plane `npm start` runs, configured exactly as a standalone data plane with the same
 * variables would be; only two defaults differ, because the platform has them: it listens on
 * SWITCHYARD_HOST and accepts the bundled issuer's access tokens.
 */
export function platformDataPlaneConfig(env: PlatformEnv): DataPlaneConfig {
  return dataPlaneConfigFromEnv(env, { host: env.SWITCHYARD_HOST, oidcIssuer: platformOidcIssuer(env) });
}

export function parsePlatformEnv(env: NodeJS.ProcessEnv = process.env): PlatformEnv {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new Error(`invalid environment:\n${problems}`);
  }
  return parsed.data;
}

/** Telemetry off before any Apollo or Next.js code loads: nothing may leave loopback. */
export function disableTelemetry(): void {
  process.env.APOLLO_TELEMETRY_DISABLED = '1';
  process.env.NEXT_TELEMETRY_DISABLED = '1';
  process.env.TURBO_TELEMETRY_DISABLED = '1';
}

/** The environment a child process (the console) inherits. */
export function inheritedEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env };
}
