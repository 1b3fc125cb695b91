import type { Logger } from 'pino';
import type { LeasePort, Lease } from './lease';

/** The lease every replica of the cost optimizer contends for; its holder runs the scheduled rounds. */
export const SCHEDULE_LEASE = 'cost-optimizer:schedule';

/** What one tick of the schedule did on this replica. */
export type TickOutcome = 'ran' | 'skipped' | 'lease_lost' | 'lease_unavailable';

export interface ScheduleOptions {
  lease: LeasePort;
  /** This replica's name in the lease (unique per process). */
  holder: string;
  intervalMs: number;
  /** Runs every tenant; `stillHolds` is asked before each tenant, and false stops the round (the lease went to another replica). */
  runAll: (stillHolds: () => Promise<boolean>) => Promise<void>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  onTick?: (outcome: TickOutcome) => void;
}

export interface Schedule {
  /** One tick, as the timer runs it: the lease's holder runs every tenant, every other replica skips. */
  tick(): Promise<TickOutcome>;
  /** Hands the lease back (if held), so another replica takes the next tick without waiting for its TTL. */
  release(): Promise<void>;
}

/**
 * Exactly one replica runs each scheduled round. The replicas contend for one lease; whoever
 * holds it renews it at each of its ticks and runs the round, the others find it held and skip.
 * The lease lives 1.5 intervals, so its holder's renewals keep it without a gap (no tick where
 * it is free and two replicas race), and a holder that died hands over within two intervals.
 * The holder renews before each tenant too: a round longer than the lease keeps it, and a holder
 * that stalled past its lease (a pause, a partition) learns by its fencing token that another
 * replica took over, and stops before touching another tenant.
 */
export function createSchedule(options: ScheduleOptions): Schedule {
  const ttlMs = Math.max(1, Math.round(options.intervalMs * 1.5));
  let held: Lease | null = null;
  const { lease: port, logger } = options;

  const take = async (): Promise<Lease | null> => {
    if (held && (await port.renew(held, ttlMs))) return held;
    if (held) logger.warn({ token: held.token }, 'the optimizer schedule lease was lost to another replica');
    held = await port.acquire(SCHEDULE_LEASE, options.holder, ttlMs);
    if (held) logger.info({ token: held.token, holder: options.holder }, 'this replica now runs the optimizer schedule');
    return held;
  };

  const outcome = (value: TickOutcome): TickOutcome => {
    options.onTick?.(value);
    return value;
  };

  return {
    async tick() {
      let lease: Lease | null;
      try {
        lease = await take();
      } catch (error) {
        // No lease store, no round: another replica may hold it, and a run can wait for the next tick.
        logger.error({ err: String(error) }, 'optimizer schedule lease unavailable; skipping this tick');
        return outcome('lease_unavailable');
      }
      if (!lease) return outcome('skipped');
      let lost = false;
      await options.runAll(async () => {
        if (lost) return false;
        const holds = await port.renew(lease, ttlMs).catch(() => false);
        if (!holds) {
          lost = true;
          if (held === lease) held = null;
          logger.warn({ token: lease.token }, 'the optimizer schedule lease was lost mid-round; the rest of the round is left to its new holder');
        }
        return holds;
      });
      return outcome(lost ? 'lease_lost' : 'ran');
    },
    async release() {
      const lease = held;
      held = null;
      if (lease) await port.release(lease).catch((error: unknown) => logger.warn({ err: String(error) }, 'could not release the optimizer schedule lease; it expires by itself'));
    },
  };
}
