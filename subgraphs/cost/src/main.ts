import { runSubgraph } from '@switchyard/subgraph-kit/main';
import { loadConfig } from './config';
import { createCostSubgraph } from './cost-subgraph';
import { subgraphName } from './type-defs';
import { startUsageConsumer } from './usage-consumer';

/** Runs the cost subgraph and its usage consumer on their own (the platform launcher embeds them instead). */
const config = loadConfig();
await runSubgraph({
  name: subgraphName,
  config,
  port: config.COST_SUBGRAPH_PORT,
  host: config.COST_SUBGRAPH_HOST,
  listeningMessage: 'cost subgraph listening on /graphql',
  start: ({ db, bus, verifyInternalToken, logger }) => {
    const subgraph = createCostSubgraph({ db, bus, verifyInternalToken, logger, introspection: config.SUBGRAPH_INTROSPECTION });
    const consumer = config.COST_USAGE_CONSUMER ? startUsageConsumer({ db, bus, logger }) : null;
    return {
      server: subgraph.server,
      listeningDetails: { usageConsumer: consumer !== null },
      async close() {
        await consumer?.stop();
        await subgraph.close();
      },
    };
  },
});
