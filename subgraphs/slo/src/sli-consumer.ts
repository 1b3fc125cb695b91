import { hostname } from 'node:os';
import { startStreamConsumer, type Bus, type StreamConsumer, type StreamEntry } from '@switchyard/bus';
import { USAGE_STREAM, usageEventSchema } from '@switchyard/events/usage';
import type { SliCounters } from '@switchyard/slo/counters';
import type { Logger } from './logger';
import { sliAddsOf } from './sli-adds';
import type { SloDirectory } from './slo-directory';

/**
 * Counts every request on the usage stream into the shared SLI counters of its tenant's SLOs
 * (its own consumer group, so cost accounting and SLIs never wait on each other). Delivery is at
 * least once; the counters record each request id once, so a redelivery changes nothing.
 */
export const SLI_COUNTER_GROUP = 'slo-sli';

export interface SliConsumerDeps {
  bus: Bus;
  counters: SliCounters;
  directory: SloDirectory;
  logger: Logger;
  consumerName?: string;
  blockMs?: number;
  claimIdleMs?: number;
}

export function startSliConsumer(deps: SliConsumerDeps): StreamConsumer {
  async function handle(entries: readonly StreamEntry[]): Promise<void> {
    const done: string[] = [];
    for (const entry of entries) {
      let json: unknown;
      try {
        json = JSON.parse(entry.payload);
      } catch {
        json = undefined;
      }
      const parsed = usageEventSchema.safeParse(json);
      if (!parsed.success) {
        // Can never succeed (the cost consumer logs the details): acked so it is not retried forever.
        done.push(entry.id);
        continue;
      }
      const adds = sliAddsOf(parsed.data, await deps.directory.ofTenant(parsed.data.tenantId));
      // A failure throws: the batch stays pending and is claimed again; recorded events are not counted twice.
      if (adds.length > 0) await deps.counters.record(`usage:${parsed.data.requestId}`, adds);
      done.push(entry.id);
    }
    if (done.length > 0) await deps.bus.ack(USAGE_STREAM, SLI_COUNTER_GROUP, done);
  }

  return startStreamConsumer({
    bus: deps.bus,
    stream: USAGE_STREAM,
    group: SLI_COUNTER_GROUP,
    consumer: deps.consumerName ?? `slo-sli-${hostname()}-${process.pid}`,
    handle,
    logger: deps.logger,
    blockMs: deps.blockMs,
    claimIdleMs: deps.claimIdleMs,
  });
}
