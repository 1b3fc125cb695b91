import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { COST_UPDATED_CHANNEL } from '@switchyard/events/cost';
import { USAGE_STREAM } from '@switchyard/events/usage';
import { createInProcessBus } from '@switchyard/bus';
import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { createMemoryTestDatabase } from '@switchyard/db/testing';
import type { MemoryTestDatabase } from '@switchyard/db/testing';
import { COST_WRITER_GROUP, startUsageConsumer } from '../src/usage-consumer';
import { storedUsage } from './cost-rows';
import { createRecordingLogger } from './recording-logger';
import { shadowCostContract } from './shadow-cost-contract';
import { usageEvent } from './usage-events';

let testDatabase: MemoryTestDatabase;
let db: Database;

async function newTenant(slug: string): Promise<string> {
  return (await db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }))).id;
}

/** Each test gets its own bus, so streams and groups never leak between tests. */
async function withBus(run: (bus: Bus) => Promise<void>): Promise<void> {
  const bus = createInProcessBus();
  try {
    await run(bus);
  } finally {
    await bus.close();
  }
}

beforeAll(async () => {
  testDatabase = await createMemoryTestDatabase();
  db = testDatabase.db;
});

afterAll(async () => {
  await testDatabase?.drop();
});

describe('usage consumer', () => {
  it('counts a replayed event once', () =>
    withBus(async (bus) => {
      const tenantId = await newTenant('replay');
      const event = usageEvent(tenantId, { costMicros: '2500000' });
      await bus.append(USAGE_STREAM, JSON.stringify(event));
      await bus.append(USAGE_STREAM, JSON.stringify(event));
      const consumer = startUsageConsumer({ db, bus, consumerName: 'c1', blockMs: 20, logger: createRecordingLogger().logger });
      try {
        await vi.waitFor(async () => expect(await bus.claimStale(USAGE_STREAM, COST_WRITER_GROUP, 'probe', 0, 10)).toEqual([]), { timeout: 20_000 });
        await vi.waitFor(async () => expect(await storedUsage(db, tenantId)).toEqual({ events: 1, requests: 1, costMicros: 2_500_000n }), { timeout: 20_000 });
        // A replay arriving later (a different batch) is still a no-op.
        await bus.append(USAGE_STREAM, JSON.stringify(event));
        const marker = usageEvent(tenantId, { costMicros: '1' });
        await bus.append(USAGE_STREAM, JSON.stringify(marker));
        await vi.waitFor(async () => expect(await storedUsage(db, tenantId)).toEqual({ events: 2, requests: 2, costMicros: 2_500_001n }), { timeout: 20_000 });
      } finally {
        await consumer.stop();
      }
    }));

  it("deduplicates on the data plane's request id, never the client's x-request-id: five requests sent with one id cost five times, and another tenant's same id is recorded too", () =>
    withBus(async (bus) => {
      const tenantId = await newTenant('reused-client-id');
      const otherTenant = await newTenant('same-client-id');
      for (let i = 0; i < 5; i += 1) await bus.append(USAGE_STREAM, JSON.stringify(usageEvent(tenantId, { requestId: randomUUID(), clientRequestId: 'same-id', costMicros: '100' })));
      await bus.append(USAGE_STREAM, JSON.stringify(usageEvent(otherTenant, { requestId: randomUUID(), clientRequestId: 'same-id', costMicros: '7' })));
      const consumer = startUsageConsumer({ db, bus, consumerName: 'c1', blockMs: 20, logger: createRecordingLogger().logger });
      try {
        await vi.waitFor(async () => expect(await storedUsage(db, tenantId)).toEqual({ events: 5, requests: 5, costMicros: 500n }), { timeout: 20_000 });
        await vi.waitFor(async () => expect(await storedUsage(db, otherTenant)).toEqual({ events: 1, requests: 1, costMicros: 7n }), { timeout: 20_000 });
      } finally {
        await consumer.stop();
      }
    }));

  it('logs and acks invalid entries without crashing, and keeps going', () =>
    withBus(async (bus) => {
      const tenantId = await newTenant('invalid');
      const { logger, entries } = createRecordingLogger();
      await bus.append(USAGE_STREAM, 'not json at all');
      await bus.append(USAGE_STREAM, JSON.stringify({ ...usageEvent(tenantId), costMicros: '-5' }));
      await bus.append(USAGE_STREAM, JSON.stringify({ ...usageEvent(tenantId), tenantId: "'; drop table usage_events; --" }));
      await bus.append(USAGE_STREAM, JSON.stringify(usageEvent(tenantId)));
      const consumer = startUsageConsumer({ db, bus, consumerName: 'c1', blockMs: 20, logger });
      try {
        await vi.waitFor(async () => expect(await storedUsage(db, tenantId)).toEqual({ events: 1, requests: 1, costMicros: 125n }), { timeout: 20_000 });
        await vi.waitFor(async () => expect(await bus.claimStale(USAGE_STREAM, COST_WRITER_GROUP, 'probe', 0, 10)).toEqual([]), { timeout: 20_000 });
        expect(entries.filter((entry) => entry.message === 'dropping invalid usage event')).toHaveLength(3);
      } finally {
        await consumer.stop();
      }
    }));

  it('recovers a batch a dead consumer read but never acked, writing it exactly once', () =>
    withBus(async (bus) => {
      const tenantId = await newTenant('crash');
      await bus.ensureGroup(USAGE_STREAM, COST_WRITER_GROUP);
      const events = [usageEvent(tenantId), usageEvent(tenantId), usageEvent(tenantId)];
      for (const event of events) await bus.append(USAGE_STREAM, JSON.stringify(event));
      // The "dead" consumer takes the batch and dies before writing or acking it.
      const taken = await bus.readGroup(USAGE_STREAM, COST_WRITER_GROUP, 'dead', { count: 10, blockMs: 0 });
      expect(taken).toHaveLength(3);

      const survivor = startUsageConsumer({ db, bus, consumerName: 'survivor', blockMs: 20, claimIdleMs: 0, logger: createRecordingLogger().logger });
      try {
        await vi.waitFor(async () => expect(await storedUsage(db, tenantId)).toEqual({ events: 3, requests: 3, costMicros: 375n }), { timeout: 20_000 });
        await vi.waitFor(async () => expect(await bus.claimStale(USAGE_STREAM, COST_WRITER_GROUP, 'probe', 0, 10)).toEqual([]), { timeout: 20_000 });
      } finally {
        await survivor.stop();
      }
      expect(await storedUsage(db, tenantId)).toEqual({ events: 3, requests: 3, costMicros: 375n });
    }));

  it('counts once when a dead consumer had committed but not acked', () =>
    withBus(async (bus) => {
      const tenantId = await newTenant('half-done');
      await bus.ensureGroup(USAGE_STREAM, COST_WRITER_GROUP);
      const event = usageEvent(tenantId);
      await bus.append(USAGE_STREAM, JSON.stringify(event));
      await bus.readGroup(USAGE_STREAM, COST_WRITER_GROUP, 'dead', { count: 10, blockMs: 0 });
      // The first consumer committed its transaction, then died before the ack: the survivor replays it.
      const first = startUsageConsumer({ db, bus, consumerName: 'first', blockMs: 20, claimIdleMs: 0, logger: createRecordingLogger().logger });
      await vi.waitFor(async () => expect((await storedUsage(db, tenantId)).events).toBe(1), { timeout: 20_000 });
      await first.stop();
      await bus.append(USAGE_STREAM, JSON.stringify(event));
      const second = startUsageConsumer({ db, bus, consumerName: 'second', blockMs: 20, claimIdleMs: 0, logger: createRecordingLogger().logger });
      try {
        await vi.waitFor(async () => expect(await bus.claimStale(USAGE_STREAM, COST_WRITER_GROUP, 'probe', 0, 10)).toEqual([]), { timeout: 20_000 });
      } finally {
        await second.stop();
      }
      expect(await storedUsage(db, tenantId)).toEqual({ events: 1, requests: 1, costMicros: 125n });
    }));

  it('publishes one cost update per tenant per batch after the write', () =>
    withBus(async (bus) => {
      const tenantA = await newTenant('notify-a');
      const tenantB = await newTenant('notify-b');
      const messages: string[] = [];
      await bus.subscribe(COST_UPDATED_CHANNEL, (message) => messages.push(message));
      for (const tenantId of [tenantA, tenantB, tenantA, tenantA]) await bus.append(USAGE_STREAM, JSON.stringify(usageEvent(tenantId)));
      const consumer = startUsageConsumer({ db, bus, consumerName: 'c1', blockMs: 20, batchSize: 10, logger: createRecordingLogger().logger });
      try {
        await vi.waitFor(() => expect(messages).toHaveLength(2), { timeout: 20_000 });
      } finally {
        await consumer.stop();
      }
      // Tenants are written side by side, so the two updates may come in either order.
      expect(messages.map((message) => JSON.parse(message) as unknown)).toEqual(expect.arrayContaining([{ tenantId: tenantA }, { tenantId: tenantB }]));
      expect(await storedUsage(db, tenantA)).toMatchObject({ events: 3, requests: 3 });
    }));

  it("writes a batch's tenants side by side: a slow tenant's transaction does not hold back another tenant's update", () =>
    withBus(async (bus) => {
      const slowTenant = await newTenant('side-slow');
      const fastTenant = await newTenant('side-fast');
      let releaseSlow = () => {};
      const slowHeld = new Promise<void>((resolve) => (releaseSlow = resolve));
      // The slow tenant's write waits until released; every other tenant's goes straight through.
      const slowFirst: Database = {
        ...db,
        withTenant: (async (tenantId: string, ...rest: unknown[]) => {
          if (tenantId === slowTenant) await slowHeld;
          return (db.withTenant as (...args: unknown[]) => Promise<unknown>)(tenantId, ...rest);
        }) as Database['withTenant'],
      };
      const messages: string[] = [];
      await bus.subscribe(COST_UPDATED_CHANNEL, (message) => messages.push(message));
      // One batch: the slow tenant first.
      for (const tenantId of [slowTenant, fastTenant]) await bus.append(USAGE_STREAM, JSON.stringify(usageEvent(tenantId)));
      const consumer = startUsageConsumer({ db: slowFirst, bus, consumerName: 'c1', blockMs: 20, batchSize: 10, logger: createRecordingLogger().logger });
      try {
        await vi.waitFor(() => expect(messages).toEqual([JSON.stringify({ tenantId: fastTenant })]), { timeout: 20_000 });
        expect((await storedUsage(db, slowTenant)).events).toBe(0);
        releaseSlow();
        await vi.waitFor(() => expect(messages).toHaveLength(2), { timeout: 20_000 });
        await vi.waitFor(async () => expect(await bus.claimStale(USAGE_STREAM, COST_WRITER_GROUP, 'probe', 0, 10)).toEqual([]), { timeout: 20_000 });
      } finally {
        releaseSlow();
        await consumer.stop();
      }
      expect(messages[1]).toBe(JSON.stringify({ tenantId: slowTenant }));
      expect((await storedUsage(db, slowTenant)).events).toBe(1);
    }));

  it('leaves entries pending when the database write fails, and stops cleanly', () =>
    withBus(async (bus) => {
      const tenantId = await newTenant('db-down');
      const { logger, entries } = createRecordingLogger();
      const broken: Database = { ...db, withTenant: () => Promise.reject(new Error('database unavailable')) };
      await bus.append(USAGE_STREAM, JSON.stringify(usageEvent(tenantId)));
      const consumer = startUsageConsumer({ db: broken, bus, consumerName: 'c1', blockMs: 20, logger });
      await vi.waitFor(() => expect(entries.some((entry) => entry.message === 'writing usage failed; will retry')).toBe(true), { timeout: 20_000 });
      await consumer.stop();
      const pending = await bus.claimStale(USAGE_STREAM, COST_WRITER_GROUP, 'probe', 0, 10);
      expect(pending).toHaveLength(1);
      expect((await storedUsage(db, tenantId)).events).toBe(0);
    }));
});

describe('shadow cost on PGlite', () => {
  shadowCostContract(() => db);
});
