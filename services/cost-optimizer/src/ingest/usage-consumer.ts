import { hostname } from 'node:os';
import { startStreamConsumer, type Bus, type StreamConsumer, type StreamEntry } from '@switchyard/bus';
import { USAGE_STREAM } from '@switchyard/events/usage';
import type { Logger } from 'pino';
import type { OptimizerStore } from '../store/optimizer-store';
import { splitObservations } from './usage-observations';

/** The optimizer's own consumer group on the usage stream (the cost subgraph's is cost-writer). */
export const OPTIMIZER_GROUP = 'cost-optimizer';

/**
 * Feeds the feature store from the usage stream: at-least-once delivery, idempotent rows (request
 * id), entries acked only after their rows committed; a failed tenant's entries stay pending and
 * are claimed again.
 */
export function startObservationConsumer(deps: { bus: Bus; store: OptimizerStore; logger: Logger; consumerName?: string; blockMs?: number }): StreamConsumer {
  const { bus, store, logger } = deps;
  async function handle(entries: readonly StreamEntry[]): Promise<void> {
    const { byTenant, skipped } = splitObservations(entries);
    if (skipped.length > 0) await bus.ack(USAGE_STREAM, OPTIMIZER_GROUP, skipped);
    for (const [tenantId, { rows, entryIds }] of byTenant) {
      try {
        await store.recordObservations(tenantId, rows);
      } catch (error) {
        logger.error({ tenantId, entries: entryIds.length, err: String(error) }, 'recording observations failed; will retry');
        continue;
      }
      await bus.ack(USAGE_STREAM, OPTIMIZER_GROUP, entryIds);
    }
  }
  return startStreamConsumer({
    bus,
    stream: USAGE_STREAM,
    group: OPTIMIZER_GROUP,
    consumer: deps.consumerName ?? `cost-optimizer-${hostname()}-${process.pid}`,
    handle,
    logger,
    ...(deps.blockMs !== undefined ? { blockMs: deps.blockMs } : {}),
  });
}
