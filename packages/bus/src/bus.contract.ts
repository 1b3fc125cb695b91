import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMissingGroupError, type Bus } from './bus';

/**
 * The contract every Bus implementation passes (in-process and Redis). Each case uses its own
 * stream/channel names, so one bus instance per case is enough and suites can run concurrently.
 */
export type BusFactory = () => Bus | Promise<Bus>;

async function eventually(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function runBusContract(name: string, factory: BusFactory): void {
  describe(`Bus contract: ${name}`, () => {
    let bus: Bus;
    const unique = (label: string): string => `${label}-${randomUUID()}`;

    beforeEach(async () => {
      bus = await factory();
    });
    afterEach(async () => {
      await bus.close();
    });

    describe('pub/sub', () => {
      it('delivers a message to every subscriber of the channel and to no other channel', async () => {
        const channel = unique('ch');
        const other = unique('other');
        const first: string[] = [];
        const second: string[] = [];
        const elsewhere: string[] = [];
        await bus.subscribe(channel, (m) => first.push(m));
        await bus.subscribe(channel, (m) => second.push(m));
        await bus.subscribe(other, (m) => elsewhere.push(m));

        await bus.publish(channel, '{"keyHash":"abc"}');
        await bus.publish(other, 'sentinel');
        await eventually(() => first.length === 1 && second.length === 1 && elsewhere.length === 1, 'delivery');

        expect(first).toEqual(['{"keyHash":"abc"}']);
        expect(second).toEqual(['{"keyHash":"abc"}']);
        expect(elsewhere).toEqual(['sentinel']);
      });

      it('stops delivering after unsubscribe while other subscribers keep receiving', async () => {
        const channel = unique('ch');
        const dropped: string[] = [];
        const kept: string[] = [];
        const unsubscribe = await bus.subscribe(channel, (m) => dropped.push(m));
        await bus.subscribe(channel, (m) => kept.push(m));
        await unsubscribe();

        await bus.publish(channel, 'one');
        await bus.publish(channel, 'two');
        await eventually(() => kept.length === 2, 'delivery to the remaining subscriber');
        expect(kept).toEqual(['one', 'two']);
        expect(dropped).toEqual([]);
      });

      it('keeps delivering to others when a subscriber throws', async () => {
        const channel = unique('ch');
        const received: string[] = [];
        await bus.subscribe(channel, () => {
          throw new Error('subscriber bug');
        });
        await bus.subscribe(channel, (m) => received.push(m));
        await bus.publish(channel, 'still here');
        await eventually(() => received.length === 1, 'delivery despite a throwing subscriber');
      });

      it('concurrent subscriptions to a new channel are all active when they resolve', async () => {
        const channel = unique('ch');
        const received: string[][] = [[], [], []];
        await Promise.all(received.map((bucket) => bus.subscribe(channel, (m) => bucket.push(m))));
        await bus.publish(channel, 'hello');
        await eventually(() => received.every((bucket) => bucket.length === 1), 'delivery to every concurrent subscriber');
      });

      it('resubscribing after the last unsubscribe works', async () => {
        const channel = unique('ch');
        const unsubscribe = await bus.subscribe(channel, () => undefined);
        await unsubscribe();
        await unsubscribe(); // idempotent
        const received: string[] = [];
        await bus.subscribe(channel, (m) => received.push(m));
        await bus.publish(channel, 'again');
        await eventually(() => received.length === 1, 'delivery after resubscribe');
      });

      it('publishing to a channel nobody listens to is fine', async () => {
        await expect(bus.publish(unique('nobody'), 'x')).resolves.toBeUndefined();
      });
    });

    describe('durable stream', () => {
      it('appends with increasing ids and a new group starts at the beginning', async () => {
        const stream = unique('stream');
        const ids = [await bus.append(stream, 'a'), await bus.append(stream, 'b'), await bus.append(stream, 'c')];
        expect(new Set(ids).size).toBe(3);
        await bus.ensureGroup(stream, 'g');
        await bus.ensureGroup(stream, 'g'); // idempotent

        const entries = await bus.readGroup(stream, 'g', 'c1', { count: 10, blockMs: 0 });
        expect(entries.map((e) => e.payload)).toEqual(['a', 'b', 'c']);
        expect(entries.map((e) => e.id)).toEqual(ids);
      });

      it('preserves payloads exactly, including unicode and JSON', async () => {
        const stream = unique('stream');
        const payload = JSON.stringify({ text: 'héllo 🌍 "quoted" \n newline', n: 1 });
        await bus.ensureGroup(stream, 'g');
        await bus.append(stream, payload);
        await bus.append(stream, '');
        const entries = await bus.readGroup(stream, 'g', 'c1', { count: 10, blockMs: 0 });
        expect(entries.map((e) => e.payload)).toEqual([payload, '']);
      });

      it('respects count and never delivers an entry twice within a group', async () => {
        const stream = unique('stream');
        await bus.ensureGroup(stream, 'g');
        for (const p of ['1', '2', '3', '4', '5']) await bus.append(stream, p);

        const first = await bus.readGroup(stream, 'g', 'c1', { count: 2, blockMs: 0 });
        const second = await bus.readGroup(stream, 'g', 'c2', { count: 10, blockMs: 0 });
        const third = await bus.readGroup(stream, 'g', 'c1', { count: 10, blockMs: 0 });
        expect(first.map((e) => e.payload)).toEqual(['1', '2']);
        expect(second.map((e) => e.payload)).toEqual(['3', '4', '5']);
        expect(third).toEqual([]);
      });

      it('gives every group its own copy of the stream', async () => {
        const stream = unique('stream');
        await bus.ensureGroup(stream, 'cost');
        await bus.ensureGroup(stream, 'audit');
        await bus.append(stream, 'x');
        const cost = await bus.readGroup(stream, 'cost', 'c', { count: 10, blockMs: 0 });
        const audit = await bus.readGroup(stream, 'audit', 'c', { count: 10, blockMs: 0 });
        expect(cost.map((e) => e.payload)).toEqual(['x']);
        expect(audit.map((e) => e.payload)).toEqual(['x']);
      });

      it('returns nothing without blocking when the stream is drained', async () => {
        const stream = unique('stream');
        await bus.ensureGroup(stream, 'g');
        await expect(bus.readGroup(stream, 'g', 'c', { count: 10, blockMs: 0 })).resolves.toEqual([]);
      });

      it('a blocking read wakes up for an entry appended while it waits', async () => {
        const stream = unique('stream');
        await bus.ensureGroup(stream, 'g');
        const reading = bus.readGroup(stream, 'g', 'c', { count: 10, blockMs: 10_000 });
        await new Promise((resolve) => setTimeout(resolve, 50));
        await bus.append(stream, 'late');
        const entries = await reading;
        expect(entries.map((e) => e.payload)).toEqual(['late']);
      });

      it('a blocking read returns empty once its block time passes', async () => {
        const stream = unique('stream');
        await bus.ensureGroup(stream, 'g');
        await expect(bus.readGroup(stream, 'g', 'c', { count: 10, blockMs: 30 })).resolves.toEqual([]);
      });

      it('rejects reads from a group that was never created', async () => {
        const stream = unique('stream');
        await bus.append(stream, 'x');
        await expect(bus.readGroup(stream, 'missing', 'c', { count: 1, blockMs: 0 })).rejects.toThrow();
      });

      it('a missing group is reported with an error isMissingGroupError recognizes (the consumer loop recreates the group on it)', async () => {
        const stream = unique('stream');
        const never = unique('never-appended');
        await bus.append(stream, 'x');
        const missing = async (run: () => Promise<unknown>): Promise<boolean> => run().then(() => false, isMissingGroupError);
        expect(await missing(() => bus.readGroup(stream, 'missing', 'c', { count: 1, blockMs: 0 }))).toBe(true);
        expect(await missing(() => bus.readGroup(never, 'missing', 'c', { count: 1, blockMs: 0 }))).toBe(true);
        expect(await missing(() => bus.claimStale(stream, 'missing', 'c', 0, 10))).toBe(true);
        expect(isMissingGroupError(new Error('connection refused'))).toBe(false);
      });

      it('groupInfo reports lag (not yet handed over) and pending (handed, not acked), null for a missing group', async () => {
        const stream = unique('stream');
        expect(await bus.groupInfo(stream, 'g')).toBeNull();
        await bus.ensureGroup(stream, 'g');
        expect(await bus.groupInfo(stream, 'g')).toEqual({ lag: 0, pending: 0 });
        for (const payload of ['a', 'b', 'c']) await bus.append(stream, payload);
        expect(await bus.groupInfo(stream, 'g')).toEqual({ lag: 3, pending: 0 });
        const read = await bus.readGroup(stream, 'g', 'c', { count: 2, blockMs: 0 });
        expect(await bus.groupInfo(stream, 'g')).toEqual({ lag: 1, pending: 2 });
        await bus.ack(stream, 'g', read.slice(0, 1).map((entry) => entry.id));
        expect(await bus.groupInfo(stream, 'g')).toEqual({ lag: 1, pending: 1 });
        expect(await bus.groupInfo(stream, 'other')).toBeNull();
      });

      it('concurrent appends and concurrent consumers: every entry delivered exactly once', async () => {
        const stream = unique('stream');
        await bus.ensureGroup(stream, 'g');
        const payloads = Array.from({ length: 100 }, (_, i) => `p${i}`);
        const ids = await Promise.all(payloads.map((p) => bus.append(stream, p)));
        expect(new Set(ids).size).toBe(100);

        const seen: string[] = [];
        const consume = async (consumer: string): Promise<void> => {
          for (;;) {
            const batch = await bus.readGroup(stream, 'g', consumer, { count: 7, blockMs: 0 });
            if (batch.length === 0) return;
            seen.push(...batch.map((e) => e.payload));
            await bus.ack(stream, 'g', batch.map((e) => e.id));
          }
        };
        await Promise.all([consume('a'), consume('b'), consume('c')]);
        expect(seen.sort()).toEqual([...payloads].sort());
      });
    });

    describe('crash recovery', () => {
      it('an entry read but never acked can be claimed by another consumer', async () => {
        const stream = unique('stream');
        await bus.ensureGroup(stream, 'g');
        await bus.append(stream, 'usage-1');

        // Consumer "crashed" reads and dies before acking.
        const read = await bus.readGroup(stream, 'g', 'crashed', { count: 10, blockMs: 0 });
        expect(read.map((e) => e.payload)).toEqual(['usage-1']);
        // Not redelivered as new, and not stale enough yet for a long idle threshold.
        expect(await bus.readGroup(stream, 'g', 'rescuer', { count: 10, blockMs: 0 })).toEqual([]);
        expect(await bus.claimStale(stream, 'g', 'rescuer', 3_600_000, 10)).toEqual([]);

        await new Promise((resolve) => setTimeout(resolve, 20));
        const claimed = await bus.claimStale(stream, 'g', 'rescuer', 10, 10);
        expect(claimed).toEqual(read);

        await bus.ack(stream, 'g', claimed.map((e) => e.id));
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(await bus.claimStale(stream, 'g', 'anyone', 0, 10)).toEqual([]);
      });

      it('acked entries are never claimed; claimStale respects count', async () => {
        const stream = unique('stream');
        await bus.ensureGroup(stream, 'g');
        for (const p of ['a', 'b', 'c', 'd']) await bus.append(stream, p);
        const read = await bus.readGroup(stream, 'g', 'c1', { count: 10, blockMs: 0 });
        await bus.ack(stream, 'g', [read[0]!.id]);
        await bus.ack(stream, 'g', []); // no-op

        await new Promise((resolve) => setTimeout(resolve, 20));
        const firstClaim = await bus.claimStale(stream, 'g', 'c2', 10, 2);
        expect(firstClaim.map((e) => e.payload)).toEqual(['b', 'c']);
        const all = await bus.claimStale(stream, 'g', 'c3', 0, 10);
        expect(all.map((e) => e.payload)).toEqual(['b', 'c', 'd']);
      });
    });
  });
}
