import { hostname } from 'node:os';
import pMap from 'p-map';
import { COST_UPDATED_CHANNEL } from '@switchyard/events/cost';
import { USAGE_STREAM } from '@switchyard/events/usage';
import { startStreamConsumer, type Bus, type StreamEntry } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { startEventSpans } from '@switchyard/tracing/context';
import { createCostStore } from './cost-store';
import { createConsoleLogger } from './logger';
import type { Logger } from './logger';
import { splitUsageBatch, type TenantUsage } from './usage-batch';

/**
 * Writes usage events from the durable stream into `usage_events` and `cost_rollups`.
 * At-least-once delivery plus idempotent writes (request id) give exactly-once counting:
 * entries are acked only after their transaction committed, and entries a dead consumer left
 * pending are claimed after `claimIdleMs` and written again (their request ids make that a no-op
 * if the first attempt had committed).
 */
export const COST_WRITER_GROUP = 'cost-writer';

/** Tenants of one batch written at once: a few of the pool's connections, the rest stay for reads. */
const TENANT_WRITES_IN_FLIGHT = 4;

export interface UsageConsumerDeps {
  db: Database;
  bus: Bus;
  /** Unique per process; defaults to host + pid. */
  consumerName?: string;
  logger?: Logger;
  /** Entries per read (default 100). */
  batchSize?: number;
  /** How long one read waits for new entries (default 1000 ms); stop() may wait this long. */
  blockMs?: number;
  /** Entries pending longer than this are taken over from other consumers (default 30 s). */
  claimIdleMs?: number;
  /** Pause after a failed round, e.g. while the database or Redis is down (default 1000 ms). */
  retryDelayMs?: number;
}

export interface UsageConsumer {
  stop(): Promise<void>;
}

export function startUsageConsumer(deps: UsageConsumerDeps): UsageConsumer {
  const { bus } = deps;
  const store = createCostStore(deps.db);
  const logger = deps.logger ?? createConsoleLogger('cost-usage-consumer');

  async function processBatch(entries: readonly StreamEntry[]): Promise<void> {
    const { byTenant, rejected } = splitUsageBatch(entries);
    if (rejected.length > 0) {
      for (const entry of rejected) logger.warn({ entryId: entry.entryId, reason: entry.reason }, 'dropping invalid usage event');
      // Invalid entries can never succeed; acking them keeps them from being retried forever.
      await bus.ack(USAGE_STREAM, COST_WRITER_GROUP, rejected.map((entry) => entry.entryId));
    }
    // Tenants of a batch are written side by side: their rows never overlap, and the last tenant of
    // a busy batch no longer waits for every other tenant's transaction before its live update.
    // Every tenant is tried (stopOnError: false); an ack that failed fails the round, as before.
    await pMap(byTenant, recordTenant, { concurrency: TENANT_WRITES_IN_FLIGHT, stopOnError: false });
  }

  async function recordTenant(usage: TenantUsage): Promise<void> {
    let recorded: number;
    // Each event's request trace gets this write as a consumer span (none without tracing or traceparents).
    const spans = startEventSpans('@switchyard/subgraph-cost', 'usage.record', usage.events.map((event) => event.traceparent), {
      'messaging.system': 'redis',
      'messaging.destination.name': USAGE_STREAM,
      'messaging.consumer.group.name': COST_WRITER_GROUP,
      'messaging.batch.message_count': usage.events.length,
    });
    try {
      recorded = await store.recordUsage(usage.tenantId, usage.events);
      spans.end();
    } catch (error) {
      spans.end(error);
      // Left pending: this or another consumer claims the entries again after claimIdleMs.
      logger.error({ tenantId: usage.tenantId, entries: usage.entryIds.length, err: String(error) }, 'writing usage failed; will retry');
      return;
    }
    // The write has committed, so the hint may go out with the ack (one Redis round trip less before
    // the dashboards refresh); a lost ack only means the entries are written again as a no-op.
    const publishing = recorded === 0 ? Promise.resolve() : publishUpdate(usage.tenantId);
    await Promise.all([bus.ack(USAGE_STREAM, COST_WRITER_GROUP, usage.entryIds), publishing]);
  }

  async function publishUpdate(tenantId: string): Promise<void> {
    try {
      await bus.publish(COST_UPDATED_CHANNEL, JSON.stringify({ tenantId }));
    } catch (error) {
      // Only a live-update hint: the data is committed, dashboards catch up on their next event.
      logger.warn({ tenantId, err: String(error) }, 'publishing cost update failed');
    }
  }

  return startStreamConsumer({
    bus,
    stream: USAGE_STREAM,
    group: COST_WRITER_GROUP,
    consumer: deps.consumerName ?? `cost-writer-${hostname()}-${process.pid}`,
    handle: processBatch,
    logger,
    batchSize: deps.batchSize,
    blockMs: deps.blockMs,
    claimIdleMs: deps.claimIdleMs,
    retryDelayMs: deps.retryDelayMs,
  });
}
