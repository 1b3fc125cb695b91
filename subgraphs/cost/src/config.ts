import { parseEnvironment, subgraphIntrospectionEnv, subgraphProcessEnv } from '@switchyard/subgraph-kit/config';
import { z } from 'zod';

/** Environment of a standalone cost subgraph, read once and validated with zod. */
const envSchema = z.object({
  COST_SUBGRAPH_PORT: z.coerce.number().int().min(0).max(65535).default(4104),
  COST_SUBGRAPH_HOST: z.string().min(1).default('127.0.0.1'),
  ...subgraphProcessEnv,
  /** Set to false to run the HTTP API without the usage consumer (e.g. a read-only replica). */
  COST_USAGE_CONSUMER: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  ...subgraphIntrospectionEnv,
});

export type CostSubgraphConfig = z.output<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): CostSubgraphConfig {
  return parseEnvironment(envSchema, env, 'the cost subgraph');
}
