import { hostname } from 'node:os';
import { startStreamConsumer, type Bus, type StreamConsumer, type StreamEntry } from '@switchyard/bus';
import { OPTIMIZER_RUNS_STREAM, optimizerRunEventSchema } from '@switchyard/events/optimizer';
import { USAGE_STREAM, usageEventSchema } from '@switchyard/events/usage';
import type { SliAdd, SliCounters } from '@switchyard/slo/counters';
import type { SloDefinition } from '@switchyard/slo';
import type { Logger } from './logger';
import { sliAddsOf, sliAddsOfRun } from './sli-adds';
import type { SloDirectory } from './slo-directory';

/**
 * Counts every request on the usage stream into the shared SLI counters of its tenant's SLOs
 * (its own consumer group, so cost accounting and SLIs never wait on each other). Delivery is at
 * least once; the counters record each request id once, so a redelivery changes nothing.
 */
export const SLI_COUNTER_GROUP = 'slo-sli';
/** Counts each optimizer run (per route) into the quality and cost SLOs; a run id counts once. */
export const OPTIMIZER_RUN_COUNTER_GROUP = 'slo-optimizer-runs';

export interface SliConsumerDeps {
  bus: Bus;
  counters: SliCounters;
  directory: SloDirectory;
  logger: Logger;
  consumerName?: string;
  blockMs?: number;
  claimIdleMs?: number;
}

/** One stream counted into the SLIs: how an entry's JSON becomes an event id and its adds. */
interface CountedStream {
  stream: string;
  group: string;
  /** undefined: malformed, acked and dropped (it can never succeed). */
  parse(json: unknown): { tenantId: string; eventId: string; addsFor(slos: readonly SloDefinition[]): SliAdd[] } | undefined;
}

function startCountingConsumer(deps: SliConsumerDeps, counted: CountedStream): StreamConsumer {
  async function handle(entries: readonly StreamEntry[]): Promise<void> {
    const done: string[] = [];
    for (const entry of entries) {
      let json: unknown;
      try {
        json = JSON.parse(entry.payload);
      } catch {
        json = undefined;
      }
      const event = counted.parse(json);
      if (!event) {
        deps.logger.warn({ stream: counted.stream, entryId: entry.id }, 'malformed entry not counted');
        done.push(entry.id);
        continue;
      }
      const adds = event.addsFor(await deps.directory.ofTenant(event.tenantId));
      // A failure throws: the batch stays pending and is claimed again; recorded events are not counted twice.
      if (adds.length > 0) await deps.counters.record(event.eventId, adds);
      done.push(entry.id);
    }
    if (done.length > 0) await deps.bus.ack(counted.stream, counted.group, done);
  }

  return startStreamConsumer({
    bus: deps.bus,
    stream: counted.stream,
    group: counted.group,
    consumer: deps.consumerName ?? `${counted.group}-${hostname()}-${process.pid}`,
    handle,
    logger: deps.logger,
    blockMs: deps.blockMs,
    claimIdleMs: deps.claimIdleMs,
  });
}

export function startSliConsumer(deps: SliConsumerDeps): StreamConsumer {
  return startCountingConsumer(deps, {
    stream: USAGE_STREAM,
    group: SLI_COUNTER_GROUP,
    parse(json) {
      const parsed = usageEventSchema.safeParse(json);
      if (!parsed.success) return undefined;
      const event = parsed.data;
      return { tenantId: event.tenantId, eventId: `usage:${event.requestId}`, addsFor: (slos) => sliAddsOf(event, slos) };
    },
  });
}

/** Quality and cost SLIs: each optimizer run of a route is one event (packages/slo README). */
export function startOptimizerRunConsumer(deps: SliConsumerDeps): StreamConsumer {
  return startCountingConsumer(deps, {
    stream: OPTIMIZER_RUNS_STREAM,
    group: OPTIMIZER_RUN_COUNTER_GROUP,
    parse(json) {
      const parsed = optimizerRunEventSchema.safeParse(json);
      if (!parsed.success) return undefined;
      const event = parsed.data;
      return { tenantId: event.tenantId, eventId: `optimizer-run:${event.runId}`, addsFor: (slos) => sliAddsOfRun(event, slos) };
    },
  });
}
