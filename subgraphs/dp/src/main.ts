import { runSubgraph } from '@switchyard/subgraph-kit/main';
import { metricsConfigFromEnv } from '@switchyard/data-plane/config';
import { loadConfig } from './config';
import { startDpSubgraph } from './start-dp-subgraph';
import { subgraphName } from './type-defs';

/** Runs the dp subgraph on its own (the platform launcher embeds it instead). */
const config = loadConfig();
await runSubgraph({
  name: subgraphName,
  config,
  port: config.DP_SUBGRAPH_PORT,
  host: config.DP_SUBGRAPH_HOST,
  listeningMessage: 'dp subgraph listening on /graphql',
  metrics: metricsConfigFromEnv(config),
  start: (runtime) =>
    startDpSubgraph(runtime, { expirySweepMs: config.DP_EXPIRY_SWEEP_MS, introspection: config.SUBGRAPH_INTROSPECTION, metricsTenantLabels: config.METRICS_TENANT_LABELS === 'on' }),
});
