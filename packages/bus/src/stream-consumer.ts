import type { Bus, StreamEntry } from './bus';

export interface StreamConsumerLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
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
}

export interface StreamConsumer {
  /** Finishes the round in progress (a blocked read may take `blockMs`), then stops. */
  stop(): Promise<void>;
}

/**
 * The consumer-group loop every durable-stream reader shares: create the group (idempotent),
 * take over entries a dead consumer left pending, else read new ones, hand the batch over;
 * at-least-once, so handlers make their writes idempotent.
 */
export function startStreamConsumer(options: StreamConsumerOptions): StreamConsumer {
  const { bus, stream, group, consumer, logger } = options;
  const batchSize = options.batchSize ?? 100;
  const blockMs = options.blockMs ?? 1000;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const retryDelayMs = options.retryDelayMs ?? 1000;
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

  async function run(): Promise<void> {
    let groupReady = false;
    while (!stopping) {
      try {
        if (!groupReady) {
          await bus.ensureGroup(stream, group);
          groupReady = true;
        }
        const stale = await bus.claimStale(stream, group, consumer, claimIdleMs, batchSize);
        if (stale.length > 0) logger.info({ stream, group, entries: stale.length }, 'claimed entries left pending by another consumer');
        const entries = stale.length > 0 ? stale : await bus.readGroup(stream, group, consumer, { count: batchSize, blockMs });
        if (entries.length > 0) await options.handle(entries);
      } catch (error) {
        if (stopping) break;
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
