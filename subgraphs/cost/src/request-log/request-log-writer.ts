import { hostname } from 'node:os';
import { startStreamConsumer, type Bus, type StreamEntry } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { REQUEST_LOG_RETENTION_DAYS } from '@switchyard/db/tenant-settings';
import { REQUEST_LOG_STREAM, REQUEST_LOG_WRITTEN_CHANNEL } from '@switchyard/events/request-log';
import { createConsoleLogger, type Logger } from '../logger';
import { partitionDaysOf, splitRequestLogBatch } from './request-log-batch';
import { createRequestLogStore } from './request-log-store';

export const REQUEST_LOG_WRITER_GROUP = 'request-log-writer';

const DAY_MS = 86_400_000;
/** Partitions are kept this many days ahead (today included), so a write never waits for DDL at midnight. */
const DAYS_AHEAD = 3;
/** How often partitions ahead are made and expired rows deleted. */
const DEFAULT_MAINTENANCE_MS = 3_600_000;

export interface RequestLogWriterDeps {
  db: Database;
  bus: Bus;
  consumerName?: string;
  logger?: Logger;
  batchSize?: number;
  blockMs?: number;
  claimIdleMs?: number;
  retryDelayMs?: number;
  maintenanceMs?: number;
  now?: () => Date;
}

export interface RequestLogWriter {
  stop(): Promise<void>;
  /** One maintenance round (partitions ahead, retention) now; also run on start and every maintenanceMs. */
  maintain(): Promise<void>;
}

/**
 * The request-log writer: a consumer group on `switchyard:request-log` that writes entries in
 * batches (one transaction per tenant per read), acked only after commit; idempotent by
 * (request id, start), so redelivered and claimed entries change nothing. It also keeps the
 * day partitions ahead of time and applies retention.
 */
export function startRequestLogWriter(deps: RequestLogWriterDeps): RequestLogWriter {
  const { bus } = deps;
  const store = createRequestLogStore(deps.db);
  const logger = deps.logger ?? createConsoleLogger('request-log-writer');
  const now = deps.now ?? (() => new Date());
  // Days whose partition is known to exist: a batch only pays for DDL on a day it has not seen.
  const knownDays = new Set<string>();

  async function ensureDays(days: readonly string[]): Promise<void> {
    for (const day of days) {
      if (knownDays.has(day)) continue;
      await store.ensurePartitions(new Date(`${day}T00:00:00Z`), 1);
      knownDays.add(day);
    }
  }

  async function maintain(): Promise<void> {
    const today = new Date(Math.floor(now().getTime() / DAY_MS) * DAY_MS);
    await store.ensurePartitions(today, DAYS_AHEAD);
    for (let i = 0; i < DAYS_AHEAD; i++) knownDays.add(new Date(today.getTime() + i * DAY_MS).toISOString().slice(0, 10));
    const deleted = await store.expire(now(), REQUEST_LOG_RETENTION_DAYS);
    // Dropped partitions may be days we cached: forget the past so a late entry recreates its day.
    for (const day of knownDays) if (day < today.toISOString().slice(0, 10)) knownDays.delete(day);
    if (deleted > 0n) logger.info({ deleted: deleted.toString() }, 'request log retention applied');
  }

  async function processBatch(entries: readonly StreamEntry[]): Promise<void> {
    const { byTenant, rejected } = splitRequestLogBatch(entries);
    if (rejected.length > 0) {
      for (const entry of rejected) logger.warn({ entryId: entry.entryId, reason: entry.reason }, 'dropping invalid request log entry');
      await bus.ack(REQUEST_LOG_STREAM, REQUEST_LOG_WRITER_GROUP, rejected.map((entry) => entry.entryId));
    }
    for (const group of byTenant) {
      let written: number;
      try {
        await ensureDays(partitionDaysOf(group.events));
        written = await store.write(group.tenantId, group.events);
      } catch (error) {
        // Left pending: claimed again after claimIdleMs (by this or another writer).
        logger.error({ tenantId: group.tenantId, entries: group.entryIds.length, err: String(error) }, 'writing the request log failed; will retry');
        continue;
      }
      await bus.ack(REQUEST_LOG_STREAM, REQUEST_LOG_WRITER_GROUP, group.entryIds);
      // Redelivered entries change nothing, so they announce nothing either.
      if (written === 0) continue;
      try {
        await bus.publish(REQUEST_LOG_WRITTEN_CHANNEL, JSON.stringify({ tenantId: group.tenantId }));
      } catch (error) {
        // Only a live-update hint: the rows are committed, open request logs catch up on the next one.
        logger.warn({ tenantId: group.tenantId, err: String(error) }, 'publishing request log update failed');
      }
    }
  }

  let maintenanceRun: Promise<void> = Promise.resolve();
  const runMaintenance = (): void => {
    maintenanceRun = maintenanceRun.then(maintain).catch((error: unknown) => logger.error({ err: String(error) }, 'request log maintenance failed; retried next round'));
  };
  runMaintenance();
  const timer = setInterval(runMaintenance, deps.maintenanceMs ?? DEFAULT_MAINTENANCE_MS);
  timer.unref();

  const consumer = startStreamConsumer({
    bus,
    stream: REQUEST_LOG_STREAM,
    group: REQUEST_LOG_WRITER_GROUP,
    consumer: deps.consumerName ?? `request-log-writer-${hostname()}-${process.pid}`,
    handle: processBatch,
    logger,
    batchSize: deps.batchSize,
    blockMs: deps.blockMs,
    claimIdleMs: deps.claimIdleMs,
    retryDelayMs: deps.retryDelayMs,
  });

  return {
    maintain: () => {
      runMaintenance();
      return maintenanceRun;
    },
    async stop() {
      clearInterval(timer);
      await consumer.stop();
      await maintenanceRun;
    },
  };
}
