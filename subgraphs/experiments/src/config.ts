import { parseEnvironment, subgraphIntrospectionEnv, subgraphProcessEnv } from '@switchyard/subgraph-kit/config';
import { z } from 'zod';

/** Environment of a standalone experiments subgraph, read once and validated with zod. */
const envSchema = z.object({
  EXPERIMENTS_SUBGRAPH_PORT: z.coerce.number().int().min(0).max(65535).default(4103),
  EXPERIMENTS_SUBGRAPH_HOST: z.string().min(1).default('127.0.0.1'),
  ...subgraphProcessEnv,
  /** Comma-separated names of the platform's configured routes (what a tenant route may fall back to besides models). */
  PLATFORM_ROUTE_NAMES: z
    .string()
    .default('')
    .transform((text) => text.split(',').map((name) => name.trim()).filter(Boolean)),
  ...subgraphIntrospectionEnv,
});

export type ExperimentsSubgraphConfig = z.output<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ExperimentsSubgraphConfig {
  return parseEnvironment(envSchema, env, 'the experiments subgraph');
}
