import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { limitsEnvShape } from '@switchyard/data-plane/limits-env';
import { providersEnvShape } from '@switchyard/data-plane/providers-env';
import { z } from 'zod';

/** Everything `npm start` and the operator CLI read from the environment, parsed once. */
export const COMPONENTS = ['oidc', 'tenants', 'cost', 'dp', 'audit', 'policy', 'experiments', 'gateway', 'data-plane', 'console'] as const;
export type Component = (typeof COMPONENTS)[number];

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** `VAR=` (empty) means unset, as shells and container runtimes commonly pass it. */
const optionalUrl = z.preprocess((value) => (value === '' ? undefined : value), z.string().url().optional());

const envSchema = z.object({
  DATABASE_URL: optionalUrl,
  REDIS_URL: optionalUrl,
  /** Namespaces every Redis key, stream and channel of this installation (several can share one Redis). */
  REDIS_KEY_PREFIX: z.string().min(1).default('switchyard:'),
  SWITCHYARD_DATA_DIR: z.string().default(path.join(REPO_ROOT, '.data')),
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
  /**
   * Master keys that wrap every tenant's data key (tenant secrets at rest): JSON
   * {"<id>": "<base64, 32 bytes>", …} or "<id>:<base64>,<id>:<base64>"; checked at start-up.
   * Unset: one key is generated and kept in SWITCHYARD_DATA_DIR/keys (embedded default).
   */
  SWITCHYARD_MASTER_KEYS: z.preprocess((value) => (value === '' ? undefined : value), z.string().optional()),
  /** Which of SWITCHYARD_MASTER_KEYS wraps new data keys (optional with a single key); the others only unwrap. */
  SWITCHYARD_MASTER_KEY_ID: z.preprocess((value) => (value === '' ? undefined : value), z.string().optional()),
  CONSOLE_PORT: port(3000),
  SUPERGRAPH_PORT: port(4000),
  TENANTS_SUBGRAPH_PORT: port(4101),
  COST_SUBGRAPH_PORT: port(4104),
  DP_SUBGRAPH_PORT: port(4106),
  AUDIT_SUBGRAPH_PORT: port(4105),
  POLICY_SUBGRAPH_PORT: port(4102),
  EXPERIMENTS_SUBGRAPH_PORT: port(4103),
  OIDC_PORT: port(4400),
  DATA_PLANE_PORT: port(8080),
  /** JSON array of routes (see data-plane/src/router/README.md); unset: the demo routes. */
  DATA_PLANE_ROUTES: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return undefined;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of routes' });
        return z.NEVER;
      }
    }),
  /** Every request and token limit of the data plane, as for the standalone data plane (FAILURE-MODES.md). */
  ...limitsEnvShape,
  /** The data plane's upstream providers, as for the standalone data plane; unset: the deterministic mock only. */
  ...providersEnvShape,
  /** The console may send only the operations of its allowlist (supergraph/persisted-operations.json); integrators are not limited. */
  PERSISTED_QUERIES: z.enum(['off', 'allow', 'require']).default('require'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type PlatformEnv = z.infer<typeof envSchema>;

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
