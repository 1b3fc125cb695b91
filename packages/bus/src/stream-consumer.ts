import { isMissingGroupError, type Bus, type StreamEntry, type StreamGroupInfo } from './bus';
import { streamConsumerMetrics } from './stream-consumer-metrics';

export interface StreamConsumerLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Labels are the stream and group names only (fixed by the code, never tenant data). */
export interface StreamConsumerLabels {
  stream: string;
  group: string;
}

/** What the loop reports; `streamConsumerMetrics(registry)` records it in Prometheus. */
export interface StreamConsumerMetrics {
  /** A round failed; `missing_group` when the group was gone (Redis restarted empty), else `error`. */
  roundFailed(labels: StreamConsumerLabels, reason: 'missing_group' | 'error'): void;
  /** The group was created again after it went missing. */
  groupRecreated(labels: StreamConsumerLabels): void;
  /** Entries handed to the handler. */
  entriesHandled(labels: StreamConsumerLabels, count: number): void;
  /** Lag and pending entries of the group, sampled every `lagSampleMs`. */
  observeGroup(labels: StreamConsumerLabels, info: StreamGroupInfo | null): void;
}

export interface StreamConsumerOptions {
  bus: Bus;
  stream: string;
  group: string;
  /** Unique per process (e.g. host + pid): entries it leaves pending are claimed by name. */
  consumer: string;
  /**
   * Handles one batch and acks what it finished. What it leaves unacked stays pending and is
   * claimed again after `claimIdleMs` (by this or another consumer); a throw is logged and the
   * loop pauses `retryDelayMs` before the next round.
   */
  handle(entries: readonly StreamEntry[]): Promise<void>;
  logger: StreamConsumerLogger;
  /** Entries per read (default 100). */
  batchSize?: number;
  /** How long one read waits for new entries (default 1000 ms); stop() may wait this long. */
  blockMs?: number;
  /** Entries pending longer than this are taken over from other consumers (default 30 s). */
  claimIdleMs?: number;
  /** Pause after a failed round, e.g. while Redis or the database is down (default 1000 ms). */
  retryDelayMs?: number;
  /** Where lag and failures are recorded (default: the process's prom-client registry). */
  metrics?: StreamConsumerMetrics;
  /** How often the group's lag is sampled (default 5000 ms). */
  lagSampleMs?: number;
}

export interface StreamConsumer {
  /** Finishes the round in progress (a blocked read may take `blockMs`), then stops. */
  stop(): Promise<void>;
}

/**
 * The consumer-group loop every durable-stream reader shares: create the group (idempotent),
 * take over entries a dead consumer left pending, else read new ones, hand the batch over;
 * at-least-once, so handlers make their writes idempotent.
 *
 * When the group goes missing (Redis restarted without persistence: stream and group are gone,
 * every command answers NOGROUP) the loop creates the group again at once and resumes. It creates
 * it at `0`, the beginning of the stream, never at `$`: after such a restart the stream holds only
 * entries appended since the restart, none of which this group has seen, and producers keep
 * appending while the loop notices the loss (MKSTREAM on their first XADD), so `$` would skip
 * exactly those. If the group was lost while its stream survived (XGROUP DESTROY by hand), `0`
 * redelivers what the stream still holds; handlers are idempotent by event id, so that costs
 * time, never a double count.
 */
export function startStreamConsumer(options: StreamConsumerOptions): StreamConsumer {
  const { bus, stream, group, consumer, logger } = options;
  const batchSize = options.batchSize ?? 100;
  const blockMs = options.blockMs ?? 1000;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const lagSampleMs = options.lagSampleMs ?? 5000;
  const metrics = options.metrics ?? streamConsumerMetrics();
  const labels: StreamConsumerLabels = { stream, group };
  let stopping = false;
  let wakeFromPause: (() => void) | null = null;

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeFromPause = null;
        resolve();
      }
      wakeFromPause = done;
    });
  }

  let lastLagSample = 0;
  async function sampleLag(): Promise<void> {
    if (Date.now() - lastLagSample < lagSampleMs) return;
    lastLagSample = Date.now();
    try {
      metrics.observeGroup(labels, await bus.groupInfo(stream, group));
    } catch {
      // Redis down: the failing round reports it; the gauge keeps its last value.
    }
  }

  async function run(): Promise<void> {
    let groupReady = false;
    let groupLost = false;
    while (!stopping) {
      try {
        if (!groupReady) {
          await bus.ensureGroup(stream, group);
          groupReady = true;
          if (groupLost) {
            groupLost = false;
            metrics.groupRecreated(labels);
            logger.info({ stream, group }, 'consumer group recreated from the beginning of the stream; consuming again');
          }
        }
        const stale = await bus.claimStale(stream, group, consumer, claimIdleMs, batchSize);
        if (stale.length > 0) logger.info({ stream, group, entries: stale.length }, 'claimed entries left pending by another consumer');
        const entries = stale.length > 0 ? stale : await bus.readGroup(stream, group, consumer, { count: batchSize, blockMs });
        if (entries.length > 0) {
          metrics.entriesHandled(labels, entries.length);
          await options.handle(entries);
        }
        await sampleLag();
      } catch (error) {
        if (stopping) break;
        if (isMissingGroupError(error)) {
          // The group is gone (Redis restarted empty): recreate it on the next round, without a pause.
          metrics.roundFailed(labels, 'missing_group');
          if (!groupLost) logger.error({ stream, group }, 'consumer group missing (Redis restarted without its data?); recreating it');
          groupLost = true;
          groupReady = false;
          continue;
        }
        metrics.roundFailed(labels, 'error');
        // Whatever failed may have been Redis restarting: make sure the group exists before reading again.
        groupReady = false;
        logger.error({ stream, group, err: error instanceof Error ? error.message : String(error) }, 'stream consumer round failed; retrying');
        await pause(retryDelayMs);
      }
    }
  }

  const running = run();
  return {
    async stop() {
      stopping = true;
      wakeFromPause?.();
      await running;
    },
  };
}
