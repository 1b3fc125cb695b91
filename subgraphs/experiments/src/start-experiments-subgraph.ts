import type { StartedSubgraph, SubgraphRuntime } from '@switchyard/subgraph-kit/runtime';
import { createExperimentsSubgraph } from './experiments-subgraph';
import { createPriceBookModelCatalog } from './model-catalog';

export interface ExperimentsSubgraphOptions {
  /** Names of the platform's routes (the data planes' DATA_PLANE_ROUTES or demo routes): what a tenant route may fall back to besides models. */
  platformRouteNames: readonly string[];
  introspection?: boolean;
}

/** The experiments subgraph as every process runs it (its own, or `npm start`); it publishes routes.changed on the runtime's bus. */
export function startExperimentsSubgraph(runtime: SubgraphRuntime, options: ExperimentsSubgraphOptions): StartedSubgraph {
  const subgraph = createExperimentsSubgraph({
    ...runtime,
    // Tenant routes may name the price book's models and fall back to the platform's routes.
    catalog: createPriceBookModelCatalog(runtime.db, options.platformRouteNames),
    introspection: options.introspection ?? false,
    ...(runtime.streamClaimIdleMs !== undefined ? { experimentConsumer: { claimIdleMs: runtime.streamClaimIdleMs } } : {}),
  });
  return { server: subgraph.server, close: subgraph.close };
}
