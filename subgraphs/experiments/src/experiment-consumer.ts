import { hostname } from 'node:os';
import { startStreamConsumer, type Bus, type StreamConsumer } from '@switchyard/bus';
import { EXPERIMENT_FEEDBACK_STREAM, USAGE_STREAM } from '@switchyard/events/usage';
import type { Logger } from '@switchyard/subgraph-kit/logger';
import type { ExperimentsService } from './experiments-service';
import { feedbackObservationsOf, observationsOf } from './usage-observations';
import type { StreamEntry } from '@switchyard/bus';

/** The consumer group that turns usage events into per-arm statistics (its own group: the cost writer reads the same stream). */
export const EXPERIMENT_STATS_GROUP = 'experiment-stats';

/**
 * Reads the usage stream (cost, latency) and the experiment feedback stream (quality), counts each request once per arm (idempotent by request id,
 * so a redelivered entry adds nothing), then applies guardrails and auto-promotion. Entries are
 * acked after their tenant's transaction committed; a failed tenant is left pending and claimed again.
 */
export function startExperimentConsumer(deps: {
  bus: Bus;
  service: ExperimentsService;
  logger: Logger;
  consumerName?: string;
  blockMs?: number;
  claimIdleMs?: number;
}): StreamConsumer {
  const { bus, logger } = deps;
  const consumer = (stream: string, observe: (entries: readonly StreamEntry[]) => ReturnType<typeof observationsOf>) =>
    startStreamConsumer({
      bus,
      stream,
      group: EXPERIMENT_STATS_GROUP,
      consumer: deps.consumerName ?? `experiment-stats-${hostname()}-${process.pid}`,
      logger,
      blockMs: deps.blockMs,
      claimIdleMs: deps.claimIdleMs,
      async handle(entries) {
        let failed = false;
        for (const [tenantId, observations] of observe(entries)) {
          try {
            await deps.service.observe(tenantId, observations);
          } catch (error) {
            failed = true;
            logger.error({ tenantId, stream, err: error instanceof Error ? error.message : String(error) }, 'counting experiment observations failed; will retry');
          }
        }
        // All or nothing per batch keeps acking simple; redelivery is harmless (idempotent by request id).
        if (!failed) await bus.ack(stream, EXPERIMENT_STATS_GROUP, entries.map((entry) => entry.id));
      },
    });
  // Usage (cost, latency) and feedback (quality): the same group name on two streams.
  const consumers = [consumer(USAGE_STREAM, observationsOf), consumer(EXPERIMENT_FEEDBACK_STREAM, feedbackObservationsOf)];
  return {
    async stop() {
      await Promise.all(consumers.map((c) => c.stop()));
    },
  };
}
