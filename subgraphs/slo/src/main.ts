import { createInMemorySliCounters, createRedisSliCounters } from '@switchyard/slo/counters';
import { runSubgraph } from '@switchyard/subgraph-kit/main';
import { loadConfig } from './config';
import { startSloSubgraph } from './start-slo-subgraph';
import { subgraphName } from './type-defs';

/** Runs the SLO subgraph, its SLI consumer and its evaluator on their own (the platform launcher embeds them instead). */
const config = loadConfig();
// Without Redis the bus is in-process too: then this process is the only replica, and so are its counters.
const counters = config.REDIS_URL ? createRedisSliCounters(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX }) : createInMemorySliCounters();
await runSubgraph({
  name: subgraphName,
  config,
  port: config.SLO_SUBGRAPH_PORT,
  host: config.SLO_SUBGRAPH_HOST,
  listeningMessage: 'SLO subgraph listening on /graphql',
  start: async (runtime) => {
    const started = await startSloSubgraph(runtime, { counters, background: config.SLO_BACKGROUND, evaluationIntervalMs: config.SLO_EVALUATION_INTERVAL_MS, introspection: config.SUBGRAPH_INTROSPECTION });
    return {
      ...started,
      async close() {
        await started.close();
        if ('close' in counters) await counters.close();
      },
    };
  },
});
