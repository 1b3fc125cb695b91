import { runSubgraph } from '@switchyard/subgraph-kit/main';
import { loadConfig } from './config';
import { createDpSubgraph } from './dp-subgraph';
import { subgraphName } from './type-defs';

/** Runs the dp subgraph on its own (the platform launcher embeds it instead). */
const config = loadConfig();
await runSubgraph({
  name: subgraphName,
  config,
  port: config.DP_SUBGRAPH_PORT,
  host: config.DP_SUBGRAPH_HOST,
  listeningMessage: 'dp subgraph listening on /graphql and /metrics',
  start: ({ db, bus, verifyInternalToken, logger }) =>
    createDpSubgraph({
      db,
      bus,
      verifyInternalToken,
      logger,
      introspection: config.SUBGRAPH_INTROSPECTION,
      expirySweepMs: config.DP_EXPIRY_SWEEP_MS,
    }),
});
