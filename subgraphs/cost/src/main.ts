import { runSubgraph } from '@switchyard/subgraph-kit/main';
import { loadConfig } from './config';
import { startCostSubgraph } from './start-cost-subgraph';
import { subgraphName } from './type-defs';

/** Runs the cost subgraph and its usage consumer on their own (the platform launcher embeds them instead). */
const config = loadConfig();
await runSubgraph({
  name: subgraphName,
  config,
  port: config.COST_SUBGRAPH_PORT,
  host: config.COST_SUBGRAPH_HOST,
  listeningMessage: 'cost subgraph listening on /graphql',
  start: (runtime) => startCostSubgraph(runtime, { usageConsumer: config.COST_USAGE_CONSUMER, introspection: config.SUBGRAPH_INTROSPECTION }),
});
