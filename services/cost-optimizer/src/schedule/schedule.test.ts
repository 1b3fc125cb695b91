import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createInProcessLease } from './in-process-lease';
import type { LeasePort } from './lease';
import { createSchedule, SCHEDULE_LEASE, type TickOutcome } from './schedule';

const logger = pino({ level: 'silent' });

/** A schedule whose round "runs" the given tenants, asking the lease before each one. */
function replica(lease: LeasePort, holder: string, tenants: readonly string[], ran: string[], during?: (tenant: string) => Promise<void>) {
  return createSchedule({
    lease,
    holder,
    intervalMs: 1_000,
    logger,
    async runAll(stillHolds) {
      for (const tenant of tenants) {
        if (!(await stillHolds())) return;
        ran.push(`${holder}:${tenant}`);
        await during?.(tenant);
      }
    },
  });
}

describe('optimizer schedule', () => {
  it('the first replica to tick takes the lease and keeps it at its ticks; the others skip', async () => {
    let now = 0;
    const lease = createInProcessLease(() => now);
    const ran: string[] = [];
    const a = replica(lease, 'a', ['t1', 't2'], ran);
    const b = replica(lease, 'b', ['t1', 't2'], ran);
    const outcomes: TickOutcome[][] = [];
    for (let tick = 0; tick < 5; tick++) {
      now += 1_000;
      outcomes.push([await a.tick(), await b.tick()]);
    }
    expect(outcomes).toEqual(Array.from({ length: 5 }, () => ['ran', 'skipped']));
    expect(ran.filter((entry) => entry.startsWith('b:'))).toEqual([]);
    expect(ran).toHaveLength(10);
  });

  it('a holder that stops ticking loses the schedule within two intervals; then it skips', async () => {
    let now = 0;
    const lease = createInProcessLease(() => now);
    const ran: string[] = [];
    const a = replica(lease, 'a', ['t'], ran);
    const b = replica(lease, 'b', ['t'], ran);
    expect(await a.tick()).toBe('ran');
    now += 1_000;
    expect(await b.tick()).toBe('skipped'); // a's lease (1.5 intervals) still runs
    now += 1_000;
    expect(await b.tick()).toBe('ran');
    expect(await a.tick()).toBe('skipped'); // a comes back: its token is stale, b holds the lease
  });

  it('a holder that stalled mid-round past its lease stops before the next tenant; the new holder runs the round', async () => {
    let now = 0;
    const lease = createInProcessLease(() => now);
    const ran: string[] = [];
    const b = replica(lease, 'b', ['t1', 't2', 't3'], []);
    let bTick: Promise<TickOutcome> | undefined;
    const a = replica(lease, 'a', ['t1', 't2', 't3'], ran, async (tenant) => {
      if (tenant !== 't1') return;
      // a pauses for two intervals after its first tenant; b's timer fires meanwhile.
      now += 2_000;
      bTick = b.tick();
      await bTick;
    });
    expect(await a.tick()).toBe('lease_lost');
    expect(await bTick).toBe('ran');
    expect(ran).toEqual(['a:t1']);
  });

  it('no lease store, no round: the tick is skipped as unavailable', async () => {
    const broken: LeasePort = {
      acquire: () => Promise.reject(new Error('redis down')),
      renew: () => Promise.reject(new Error('redis down')),
      release: () => Promise.reject(new Error('redis down')),
      close: async () => undefined,
    };
    const ran: string[] = [];
    expect(await replica(broken, 'a', ['t'], ran).tick()).toBe('lease_unavailable');
    expect(ran).toEqual([]);
  });

  it('release hands the lease over at once', async () => {
    const lease = createInProcessLease();
    const ran: string[] = [];
    const a = replica(lease, 'a', ['t'], ran);
    const b = replica(lease, 'b', ['t'], ran);
    expect(await a.tick()).toBe('ran');
    expect(await b.tick()).toBe('skipped');
    await a.release();
    expect(await b.tick()).toBe('ran');
    expect(await lease.acquire(SCHEDULE_LEASE, 'c', 1_000)).toBeNull();
  });
});
