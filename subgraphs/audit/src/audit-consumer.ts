import { hostname } from 'node:os';
import { USAGE_STREAM } from '@switchyard/events/usage';
import { startStreamConsumer, type Bus } from '@switchyard/bus';
import { AUDIT_STREAM } from '@switchyard/events/audit';
import { startEventSpans } from '@switchyard/tracing/context';
import type { AuditLedger } from './audit-ledger';
import { createConsoleLogger, type Logger } from './logger';
import { parseAuditStreamEntry, parseUsageStreamEntry, type ParsedStreamEvent } from './stream-events';

/**
 * Appends events from the durable streams to the ledger: `switchyard:audit` (group
 * `audit-writer`) and one entry per inference request from `switchyard:usage` (group
 * `audit-usage`, beside the cost domain's own group). At-least-once delivery + idempotency keys:
 * entries are acked only after the append committed; a replay appends nothing.
 */
export const AUDIT_WRITER_GROUP = 'audit-writer';
export const AUDIT_USAGE_GROUP = 'audit-usage';

export interface AuditConsumerDeps {
  ledger: AuditLedger;
  bus: Bus;
  consumerName?: string;
  logger?: Logger;
  batchSize?: number;
  blockMs?: number;
  claimIdleMs?: number;
  retryDelayMs?: number;
  /** Also turn usage events into inference audit entries (default true). */
  auditInference?: boolean;
}

export interface AuditConsumer {
  stop(): Promise<void>;
}

export function startAuditConsumer(deps: AuditConsumerDeps): AuditConsumer {
  const { bus, ledger } = deps;
  const logger = deps.logger ?? createConsoleLogger('audit-consumer');
  const consumer = deps.consumerName ?? `audit-${hostname()}-${process.pid}`;

  const consume = (stream: string, group: string, parse: (payload: string) => ParsedStreamEvent) =>
    startStreamConsumer({
      bus,
      stream,
      group,
      consumer,
      logger,
      // One append is one round trip whatever its size, so a backlog drains in big batches; when the
      // stream is quiet a read returns what is there at once, so a large cap adds no latency.
      batchSize: deps.batchSize ?? 500,
      blockMs: deps.blockMs,
      claimIdleMs: deps.claimIdleMs,
      retryDelayMs: deps.retryDelayMs,
      async handle(entries) {
        const valid: Array<{ id: string; event: ParsedStreamEvent & { ok: true } }> = [];
        const rejected: string[] = [];
        for (const entry of entries) {
          const parsed = parse(entry.payload);
          if (parsed.ok) valid.push({ id: entry.id, event: parsed });
          else {
            logger.warn({ stream, entryId: entry.id, reason: parsed.reason }, 'dropping invalid audit event');
            rejected.push(entry.id);
          }
        }
        // Invalid entries can never succeed; acking them keeps them from being retried forever.
        if (rejected.length > 0) await bus.ack(stream, group, rejected);
        if (valid.length === 0) return;
        const spans = startEventSpans('@switchyard/subgraph-audit', 'audit.append', valid.map((item) => item.event.traceparent), {
          'messaging.system': 'redis',
          'messaging.destination.name': stream,
          'messaging.consumer.group.name': group,
          'messaging.batch.message_count': valid.length,
        });
        try {
          await ledger.appendMany(valid.map((item) => item.event.event));
          spans.end();
        } catch (error) {
          spans.end(error);
          // Left pending: claimed again after claimIdleMs (idempotency keys make a retry safe); the loop pauses.
          logger.error({ stream, entries: valid.length, err: String(error) }, 'appending audit events failed; will retry');
          throw error;
        }
        await bus.ack(stream, group, valid.map((item) => item.id));
      },
    });

  const consumers = [consume(AUDIT_STREAM, AUDIT_WRITER_GROUP, parseAuditStreamEntry)];
  if (deps.auditInference ?? true) consumers.push(consume(USAGE_STREAM, AUDIT_USAGE_GROUP, parseUsageStreamEntry));

  return {
    async stop() {
      await Promise.all(consumers.map((c) => c.stop()));
    },
  };
}
