import { platformRoutesFromEnv, routesEnvShape } from '@switchyard/data-plane/config';
import { parseEnvironment, subgraphIntrospectionEnv, subgraphProcessEnv } from '@switchyard/subgraph-kit/config';
import { z } from 'zod';

/** Environment of a standalone experiments subgraph, read once and validated with zod. */
const envSchema = z
  .object({
    EXPERIMENTS_SUBGRAPH_PORT: z.coerce.number().int().min(0).max(65535).default(4103),
    EXPERIMENTS_SUBGRAPH_HOST: z.string().min(1).default('127.0.0.1'),
    ...subgraphProcessEnv,
    /**
     * The platform's routes as the data planes read them (DATA_PLANE_ROUTES, default: the demo routes
     * DATA_PLANE_PROVIDERS serve): what a tenant route may fall back to besides models.
     */
    ...routesEnvShape,
    ...subgraphIntrospectionEnv,
  })
  .transform((env) => ({ ...env, platformRouteNames: platformRoutesFromEnv(env).map((route) => route.name) }));

export type ExperimentsSubgraphConfig = z.output<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ExperimentsSubgraphConfig {
  return parseEnvironment(envSchema, env, 'the experiments subgraph');
}
