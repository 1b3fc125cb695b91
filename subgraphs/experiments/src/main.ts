import { runSubgraph } from '@switchyard/subgraph-kit/main';
import { loadConfig } from './config';
import { createExperimentsSubgraph } from './experiments-subgraph';
import { createPriceBookModelCatalog } from './model-catalog';
import { subgraphName } from './type-defs';

/** Runs the experiments subgraph on its own (the platform launcher embeds it instead). */
const config = loadConfig();
await runSubgraph({
  name: subgraphName,
  config,
  port: config.EXPERIMENTS_SUBGRAPH_PORT,
  host: config.EXPERIMENTS_SUBGRAPH_HOST,
  listeningMessage: 'experiments subgraph listening on /graphql',
  start: ({ db, bus, verifyInternalToken, logger }) =>
    createExperimentsSubgraph({
      db,
      bus,
      verifyInternalToken,
      catalog: createPriceBookModelCatalog(db, config.PLATFORM_ROUTE_NAMES),
      logger,
      introspection: config.SUBGRAPH_INTROSPECTION,
    }),
});
