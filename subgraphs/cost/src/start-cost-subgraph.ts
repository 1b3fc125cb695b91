import type { StartedSubgraph, SubgraphRuntime } from '@switchyard/subgraph-kit/runtime';
import { createCostSubgraph } from './cost-subgraph';
import { startUsageConsumer } from './usage-consumer';
import { startRequestLogWriter } from './request-log/request-log-writer';

export interface CostSubgraphOptions {
  /** Run the usage consumer and the request-log writer beside the API (default true; false: e.g. a read-only replica). */
  usageConsumer?: boolean;
  introspection?: boolean;
}

/**
 * The cost subgraph as every process runs it (its own, or `npm start`): the GraphQL API and,
 * beside it, the usage consumer that turns the data planes' usage stream into cost rows and the
 * request-log writer (request-log/request-log-writer.ts).
 */
export function startCostSubgraph(runtime: SubgraphRuntime, options: CostSubgraphOptions = {}): StartedSubgraph {
  const { db, bus, logger } = runtime;
  const subgraph = createCostSubgraph({ ...runtime, introspection: options.introspection ?? false });
  const claimIdleMs = runtime.streamClaimIdleMs;
  const consumer = (options.usageConsumer ?? true) ? startUsageConsumer({ db, bus, logger, claimIdleMs }) : null;
  const requestLog = (options.usageConsumer ?? true) ? startRequestLogWriter({ db, bus, logger, claimIdleMs }) : null;
  return {
    server: subgraph.server,
    listeningDetails: { usageConsumer: consumer !== null, requestLogWriter: requestLog !== null },
    async close() {
      await consumer?.stop();
      await requestLog?.stop();
      await subgraph.close();
    },
  };
}
