import { parseEnvironment, subgraphIntrospectionEnv, subgraphProcessEnv } from '@switchyard/subgraph-kit/config';
import { z } from 'zod';

/** Environment of a standalone SLO subgraph, read once and validated with zod. */
const envSchema = z.object({
  SLO_SUBGRAPH_PORT: z.coerce.number().int().min(0).max(65535).default(4107),
  SLO_SUBGRAPH_HOST: z.string().min(1).default('127.0.0.1'),
  ...subgraphProcessEnv,
  /** false: the API only, without the SLI consumer and the evaluator (e.g. a read-only replica). */
  SLO_BACKGROUND: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  SLO_EVALUATION_INTERVAL_MS: z.coerce.number().int().min(1_000).max(300_000).default(15_000),
  ...subgraphIntrospectionEnv,
});

export type SloSubgraphConfig = z.output<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SloSubgraphConfig {
  return parseEnvironment(envSchema, env, 'the SLO subgraph');
}
