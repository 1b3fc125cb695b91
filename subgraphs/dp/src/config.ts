import { parseEnvironment, subgraphIntrospectionEnv, subgraphProcessEnv } from '@switchyard/subgraph-kit/config';
import { metricsEnvShape } from '@switchyard/data-plane/config';
import { z } from 'zod';

/** Environment of a standalone dp subgraph, read once and validated with zod. */
const envSchema = z.object({
  DP_SUBGRAPH_PORT: z.coerce.number().int().min(0).max(65535).default(4106),
  DP_SUBGRAPH_HOST: z.string().min(1).default('127.0.0.1'),
  ...subgraphProcessEnv,
  /** Reservation expiry sweep interval; 0 disables it (e.g. on all but one replica). */
  DP_EXPIRY_SWEEP_MS: z.coerce.number().int().min(0).default(5_000),
  ...subgraphIntrospectionEnv,
  /** The operator metrics listener (METRICS_PORT, METRICS_HOST, METRICS_TOKEN, METRICS_TENANT_LABELS), as the data plane reads it. */
  ...metricsEnvShape,
});

export type DpSubgraphConfig = z.output<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): DpSubgraphConfig {
  return parseEnvironment(envSchema, env, 'the dp subgraph');
}
