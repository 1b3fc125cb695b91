import type { Bus, Unsubscribe } from '@switchyard/bus';
import { ROUTING_OBSERVED_CHANNEL, routingObservationBatchSchema } from '@switchyard/events/routing';
import type { Logger } from 'pino';
import type { FeedbackRow, OptimizerStore } from '../store/optimizer-store';
import { feedbackRowId } from './feedback-row-id';

/**
 * Client quality scores as the data-plane replicas share them (routing.observed, feedback kind).
 * Pub/sub, so a score published while no optimizer listens is lost: quality is an average over
 * a window, which a few lost scores do not move; the durable record of requests is the usage stream.
 * A batch delivered twice is stored once: its rows' ids derive from the batch id, the tenant and
 * the position (batches without an id, from older replicas, are stored as they come).
 */
export async function subscribeFeedback(bus: Bus, store: OptimizerStore, logger: Logger): Promise<Unsubscribe> {
  return bus.subscribe(ROUTING_OBSERVED_CHANNEL, (message) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    const batch = routingObservationBatchSchema.safeParse(parsed);
    if (!batch.success) return;
    const byTenant = new Map<string, FeedbackRow[]>();
    const batchId = batch.data.id;
    batch.data.observations.forEach((observation, position) => {
      if (observation.kind !== 'feedback') return;
      const row: FeedbackRow = { route: observation.route, upstream: observation.upstream, score: observation.score, ...(batchId ? { id: feedbackRowId(batchId, observation.tenantId, position) } : {}) };
      byTenant.set(observation.tenantId, [...(byTenant.get(observation.tenantId) ?? []), row]);
    });
    for (const [tenantId, rows] of byTenant) {
      store.recordFeedback(tenantId, rows).catch((error: unknown) => logger.warn({ tenantId, err: String(error) }, 'feedback not recorded'));
    }
  });
}
