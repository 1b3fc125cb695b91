import type { StartedSubgraph, SubgraphRuntime } from '@switchyard/subgraph-kit/runtime';
import { createDpSubgraph } from './dp-subgraph';

export interface DpSubgraphOptions {
  /** Reservation expiry sweep interval (default 5 s); 0 disables it (e.g. on all but one replica). */
  expirySweepMs?: number;
  introspection?: boolean;
  /** Tenant ids and dataset names as metric label values (METRICS_TENANT_LABELS=on); default off. */
  metricsTenantLabels?: boolean;
}

/** The dp subgraph as every process runs it (its own, or `npm start`): the API (/graphql), its metrics (for the operator listener) and the reservation expiry job. */
export function startDpSubgraph(runtime: SubgraphRuntime, options: DpSubgraphOptions = {}): StartedSubgraph {
  const subgraph = createDpSubgraph({
    ...runtime,
    introspection: options.introspection ?? false,
    metricsTenantLabels: options.metricsTenantLabels ?? false,
    ...(options.expirySweepMs !== undefined ? { expirySweepMs: options.expirySweepMs } : {}),
  });
  return { server: subgraph.server, close: subgraph.close, metrics: subgraph.metrics.registry, listeningDetails: { expirySweep: subgraph.expiry !== null } };
}
