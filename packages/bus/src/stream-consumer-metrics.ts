import { Counter, Gauge, register as processRegistry, type Registry } from 'prom-client';
import type { StreamConsumerMetrics } from './stream-consumer';

const byRegistry = new WeakMap<Registry, StreamConsumerMetrics>();

/**
 * Prometheus metrics of every stream consumer in the process, in `registry` (default: prom-client's
 * process registry). One set per registry, shared by all consumers; labels are the stream and group
 * names, which the code fixes (never a tenant id or a tenant-chosen string).
 */
export function streamConsumerMetrics(registry: Registry = processRegistry): StreamConsumerMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const labelNames = ['stream', 'group'] as const;
  const failures = new Counter({
    name: 'switchyard_stream_consumer_failures_total',
    help: 'Consumer rounds that failed, by reason: missing_group (the group was gone, e.g. Redis restarted empty) or error.',
    labelNames: [...labelNames, 'reason'] as const,
    registers: [registry],
  });
  const recreated = new Counter({
    name: 'switchyard_stream_consumer_group_recreated_total',
    help: 'Times a consumer group was created again after it went missing.',
    labelNames,
    registers: [registry],
  });
  const handled = new Counter({
    name: 'switchyard_stream_consumer_entries_total',
    help: 'Stream entries handed to the consumer (claimed or new; at-least-once, so retries count again).',
    labelNames,
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'switchyard_stream_consumer_lag',
    help: 'Entries appended to the stream that the group has not been handed yet (-1 when Redis cannot tell).',
    labelNames,
    registers: [registry],
  });
  const pending = new Gauge({
    name: 'switchyard_stream_consumer_pending',
    help: 'Entries handed to a consumer of the group and not acked yet.',
    labelNames,
    registers: [registry],
  });
  const metrics: StreamConsumerMetrics = {
    roundFailed: (labels, reason) => failures.inc({ ...labels, reason }),
    groupRecreated: (labels) => recreated.inc(labels),
    entriesHandled: (labels, count) => handled.inc(labels, count),
    observeGroup(labels, info) {
      // No group (yet, or any more): the gauges keep their last value, the failure counters say why.
      if (!info) return;
      lag.set(labels, info.lag ?? -1);
      pending.set(labels, info.pending);
    },
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
