import { SLO_CHANGED_CHANNEL } from '@switchyard/events/slo';
import type { SliCounters } from '@switchyard/slo/counters';
import type { StartedSubgraph, SubgraphRuntime } from '@switchyard/subgraph-kit/runtime';
import { startBurnEvaluator, type BurnEvaluator } from './burn-evaluator';
import { startOptimizerRunConsumer, startSliConsumer } from './sli-consumer';
import { createSloDirectory } from './slo-directory';
import { createSloStore } from './slo-store';
import { createSloSubgraph } from './slo-subgraph';

export interface SloSubgraphOptions {
  /** The shared SLI counters: Redis when the bus is Redis (`createRedisSliCounters`), in-process otherwise. */
  counters: SliCounters;
  /** Count SLIs from the usage stream and evaluate burn rates beside the API (default true). */
  background?: boolean;
  /** Evaluation round interval (default 15 s). */
  evaluationIntervalMs?: number;
  introspection?: boolean;
}

export type StartedSloSubgraph = StartedSubgraph & { evaluator: BurnEvaluator | null };

/**
 * The SLO subgraph as every process runs it (its own, or `npm start`): the GraphQL API and, beside
 * it, the SLI consumers (usage stream and optimizer runs → shared counters) and the burn-rate evaluator (alerts and the
 * auto-throttle).
 */
export async function startSloSubgraph(runtime: SubgraphRuntime, options: SloSubgraphOptions): Promise<StartedSloSubgraph> {
  const { db, bus, logger } = runtime;
  const subgraph = createSloSubgraph({ ...runtime, counters: options.counters, introspection: options.introspection ?? false });
  if (!(options.background ?? true)) return { server: subgraph.server, close: subgraph.close, evaluator: null, listeningDetails: { evaluator: false } };

  const store = createSloStore(db);
  const directory = createSloDirectory(store);
  // A write anywhere makes the next event and round read the SLOs afresh (else within 5 s anyway).
  const unsubscribe = await bus.subscribe(SLO_CHANGED_CHANNEL, () => directory.invalidate());
  const claimIdleMs = runtime.streamClaimIdleMs;
  const consumer = startSliConsumer({ bus, counters: options.counters, directory, logger, claimIdleMs });
  const runConsumer = startOptimizerRunConsumer({ bus, counters: options.counters, directory, logger, claimIdleMs });
  const evaluator = startBurnEvaluator({ bus, counters: options.counters, store, directory, logger, ...(options.evaluationIntervalMs ? { intervalMs: options.evaluationIntervalMs } : {}) });
  return {
    server: subgraph.server,
    evaluator,
    listeningDetails: { evaluator: true },
    async close() {
      await evaluator.stop();
      await consumer.stop();
      await runConsumer.stop();
      await unsubscribe();
      await subgraph.close();
    },
  };
}
