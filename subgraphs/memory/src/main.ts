import { createInProcessSessionWindow, createRedisSessionWindow } from '@switchyard/memory/session';
import { runSubgraph } from '@switchyard/subgraph-kit/main';
import { loadConfig } from './config';
import { startMemorySubgraph } from './start-memory-subgraph';
import { subgraphName } from './type-defs';

/** Runs the memory subgraph on its own (the platform launcher embeds it, sharing the data plane's session window). */
const config = loadConfig();
// The data plane's replicas keep sessions in this Redis under this prefix. Without Redis the data
// plane's window is in its own process: only the launcher (npm start) can reach it, so here a
// delete reaches the durable snapshot alone.
const fastSessions = config.REDIS_URL ? createRedisSessionWindow(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX ?? '' }) : createInProcessSessionWindow();
if (!config.REDIS_URL) process.stderr.write('memory subgraph: no REDIS_URL; deletes reach the durable snapshot only (run it inside npm start, or give it the data plane\'s Redis)\n');
await runSubgraph({
  name: subgraphName,
  config,
  port: config.MEMORY_SUBGRAPH_PORT,
  host: config.MEMORY_SUBGRAPH_HOST,
  listeningMessage: 'memory subgraph listening on /graphql',
  start: async (runtime) => {
    const started = await startMemorySubgraph(runtime, { fastSessions, introspection: config.SUBGRAPH_INTROSPECTION });
    return {
      ...started,
      async close() {
        await started.close();
        await fastSessions.close();
      },
    };
  },
});
