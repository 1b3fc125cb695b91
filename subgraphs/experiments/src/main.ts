import { runSubgraph } from '@switchyard/subgraph-kit/main';
import { loadConfig } from './config';
import { startExperimentsSubgraph } from './start-experiments-subgraph';
import { subgraphName } from './type-defs';

/** Runs the experiments subgraph on its own (the platform launcher embeds it instead). */
const config = loadConfig();
await runSubgraph({
  name: subgraphName,
  config,
  port: config.EXPERIMENTS_SUBGRAPH_PORT,
  host: config.EXPERIMENTS_SUBGRAPH_HOST,
  listeningMessage: 'experiments subgraph listening on /graphql',
  start: (runtime) => startExperimentsSubgraph(runtime, { platformRouteNames: config.platformRouteNames, introspection: config.SUBGRAPH_INTROSPECTION }),
});
