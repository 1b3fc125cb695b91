import { z } from 'zod';
import { tracingConfigOf, tracingEnvShape } from '@switchyard/tracing';
import { metricsConfigFromEnv, metricsEnvShape, platformRoutesFromEnv, redisEnvShape, routesEnvShape } from '@switchyard/data-plane/config';
import type { CostOptimizerConfig } from './compose-cost-optimizer';
import { optimizerRegionsEnv } from './regions/regions-env';

/**
 * The optimizer's own variables, as its process and `npm start` read them (the platform spreads
 * this shape into its schema): one set of defaults for both.
 */
export const optimizerEnvShape = {
  /** How often every tenant is run (default 5 min; 0: only on demand). */
  OPTIMIZER_INTERVAL_MS: z.coerce.number().int().min(0).default(300_000),
  /** The feature window (default 24 h). */
  OPTIMIZER_WINDOW_MS: z.coerce.number().int().min(60_000).default(86_400_000),
  /** Share of a route's requests new priors rank while they are a canary (default 0.1). */
  OPTIMIZER_CANARY_SHARE: z.coerce.number().gt(0).lt(1).default(0.1),
};

const envSchema = z
  .object({
    /** One region's optimizer: its database (required unless OPTIMIZER_REGIONS is set). */
    DATABASE_URL: z.preprocess((value) => (value === '' ? undefined : value), z.string().url('DATABASE_URL must be a postgres:// URL').optional()),
    DATABASE_TENANT_URL: z.preprocess((value) => (value === '' ? undefined : value), z.string().url().optional()),
    /** The central optimizer's regions (regions/regions-env.ts); DATABASE_URL and REDIS_URL are then not read. */
    OPTIMIZER_REGIONS: optimizerRegionsEnv,
    /** Central: the Redis its replicas share the schedule's lease on (default: the first region's). */
    OPTIMIZER_LEASE_REDIS_URL: z.preprocess((value) => (value === '' ? undefined : value), z.string().regex(/^rediss?(\+cluster)?:\/\/\S+$/).optional()),
    ...redisEnvShape,
    ...routesEnvShape,
    ...metricsEnvShape,
    ...optimizerEnvShape,
    ...tracingEnvShape,
  })
  .superRefine((e, context) => {
    if (!e.OPTIMIZER_REGIONS && !e.DATABASE_URL) context.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'DATABASE_URL (one region) or OPTIMIZER_REGIONS (central) is required' });
  });

export type OptimizerEnv = z.output<typeof envSchema>;

type OptimizerSettingsEnv = { [K in keyof typeof optimizerEnvShape]: z.output<(typeof optimizerEnvShape)[K]> };

/** The composition root's configuration from parsed variables (shared with the platform). */
export function optimizerConfigFromEnv(
  e: OptimizerSettingsEnv,
  routes: readonly { name: string; candidates: readonly { model: string }[] }[],
  tenantLabels: boolean,
): CostOptimizerConfig {
  return {
    intervalMs: e.OPTIMIZER_INTERVAL_MS,
    windowMs: e.OPTIMIZER_WINDOW_MS,
    canaryShare: e.OPTIMIZER_CANARY_SHARE,
    tenantLabels,
    platformRoutes: new Map(routes.map((route) => [route.name, route.candidates.map((candidate) => candidate.model)])),
  };
}

export function loadOptimizerEnv(env: NodeJS.ProcessEnv = process.env) {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new Error(`Invalid environment for the cost optimizer:\n${result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')}`);
  }
  const e = result.data;
  const metrics = metricsConfigFromEnv(e);
  return { env: e, metrics, tracing: tracingConfigOf(e), config: optimizerConfigFromEnv(e, platformRoutesFromEnv(e), metrics.tenantLabels) };
}
