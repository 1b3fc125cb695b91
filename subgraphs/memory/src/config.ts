import { parseEnvironment, subgraphIntrospectionEnv, subgraphProcessEnv } from '@switchyard/subgraph-kit/config';
import { z } from 'zod';

/** Environment of a standalone memory subgraph, read once and validated with zod. */
const envSchema = z.object({
  MEMORY_SUBGRAPH_PORT: z.coerce.number().int().min(0).max(65535).default(4108),
  MEMORY_SUBGRAPH_HOST: z.string().min(1).default('127.0.0.1'),
  ...subgraphProcessEnv,
  ...subgraphIntrospectionEnv,
});

export type MemorySubgraphConfig = z.output<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): MemorySubgraphConfig {
  return parseEnvironment(envSchema, env, 'the memory subgraph');
}
