import { redisEnvShape } from '@switchyard/data-plane/config';
import { REGION_PATTERN } from '@switchyard/db/tenant-settings';
import { z } from 'zod';
import { tracingEnvShape } from '@switchyard/tracing';

/** SIGTERM: as every server reads them (README): serve new requests this long with `Connection: close`, then refuse them. */
export const shutdownEnv = {
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
  /** After the grace: how long in-flight requests may take before they are cut. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(20_000),
};

/**
 * The durable-stream consumers beside the subgraphs (usage, audit, request log, SLIs, experiments) are
 * competing members of their groups, one per replica: what a member leaves pending (it died between
 * reading and acking) is taken over by a surviving member once it has been idle this long. Shorter
 * means a dead replica's work resumes sooner; it must stay above the longest time a live member
 * takes to handle one batch, or a slow member's entries are handled twice (harmless: handlers are
 * idempotent, but wasted). The alert-webhook dispatcher keeps its own, longer bound (a webhook is
 * not idempotent at the receiver).
 */
export const streamConsumerEnv = {
  STREAM_CLAIM_IDLE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
};

/**
 * Environment every standalone subgraph process reads besides its own port and host.
 * Spread into a subgraph's zod object; key order decides the order start-up problems are listed in.
 */
export const subgraphProcessEnv = {
  DATABASE_URL: z.string().url('DATABASE_URL must be a postgres:// URL'),
  /** The tenant pool's login (role switchyard_app); unset: DATABASE_URL as user switchyard_app without a password. */
  DATABASE_TENANT_URL: z.string().url('DATABASE_TENANT_URL must be a postgres:// URL').optional().or(z.literal('').transform(() => undefined)),
  /** REDIS_URL and REDIS_KEY_PREFIX as every deployable reads them (one default prefix: none). */
  ...redisEnvShape,
  /** The gateway's Ed25519 public key as a JWK (JSON text). */
  INTERNAL_TOKEN_PUBLIC_JWK: z.string().transform((text, ctx) => {
    try {
      return z.record(z.string(), z.unknown()).parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'INTERNAL_TOKEN_PUBLIC_JWK must be a JWK as JSON text' });
      return z.NEVER;
    }
  }),
  ...shutdownEnv,
  /**
   * The region this admin plane runs in (issue 14), the same variable and value as the region's
   * data planes: writes of a tenant homed in another region are refused (TENANT_HOMED_ELSEWHERE).
   * Unset (or empty): a one-region deployment.
   */
  SWITCHYARD_REGION: z.preprocess((value) => (value === '' ? undefined : value), z.string().regex(REGION_PATTERN, 'a short token like region-a').optional()),
  /** STREAM_CLAIM_IDLE_MS: when a surviving group member takes over a dead one's pending entries. */
  ...streamConsumerEnv,
  /** OpenTelemetry export (OTEL_EXPORTER_OTLP_ENDPOINT, …): off unless an endpoint is set. */
  ...tracingEnvShape,
};

/** `SUBGRAPH_INTROSPECTION=true` serves introspection (off by default). */
export const subgraphIntrospectionEnv = {
  SUBGRAPH_INTROSPECTION: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
};

/** Parses `env` with `schema`, or throws one error listing every problem, e.g. "Invalid environment for the cost subgraph:". */
export function parseEnvironment<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv, what: string): z.output<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new Error(`Invalid environment for ${what}:\n${problems}`);
  }
  return result.data;
}
