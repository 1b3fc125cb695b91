import { REGION_PATTERN } from '@switchyard/db/tenant-settings';
import { z } from 'zod';

/** One region a central optimizer reads and writes: its database and its Redis. */
export const optimizerRegionSchema = z.object({
  /** As the region's data planes' SWITCHYARD_REGION and tenants.home_region spell it. */
  name: z.string().regex(REGION_PATTERN, 'a short token like region-a'),
  databaseUrl: z.string().url('databaseUrl must be a postgres:// URL'),
  /** The region's tenant-scoped login (row-level security), as DATABASE_TENANT_URL. */
  databaseTenantUrl: z.string().url().optional(),
  /** The region's Redis (`redis://`, `rediss://`, `redis+cluster://…`): its usage stream, feedback and bus. */
  redisUrl: z.string().regex(/^rediss?(\+cluster)?:\/\/\S+$/, 'a redis://, rediss:// or redis+cluster:// URL'),
  /** The region's REDIS_KEY_PREFIX (default none). */
  redisKeyPrefix: z.string().regex(/^[^{}]*$/, 'may not contain braces (it would change the hash tags)').default(''),
});

export type OptimizerRegionConfig = z.output<typeof optimizerRegionSchema>;

/**
 * OPTIMIZER_REGIONS: a JSON array of regions, names unique. Set, the optimizer is central: it reads
 * every region's usage and writes each tenant's priors where the tenant may be served; unset, it is
 * one region's optimizer on DATABASE_URL / REDIS_URL (the single-region deployment, unchanged).
 */
export const optimizerRegionsEnv = z.preprocess(
  (value) => {
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  },
  z
    .array(optimizerRegionSchema)
    .min(1, 'at least one region')
    .refine((regions) => new Set(regions.map((region) => region.name)).size === regions.length, 'region names must be unique')
    .optional(),
);
