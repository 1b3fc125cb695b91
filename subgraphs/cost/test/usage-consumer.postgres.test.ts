import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { USAGE_STREAM } from '@switchyard/events/usage';
import { createRedisBus } from '@switchyard/bus';
import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { createTestDatabase } from '@switchyard/db/testing';
import type { TestDatabase } from '@switchyard/db/testing';
import { createCostStore } from '../src/cost-store';
import { COST_WRITER_GROUP, startUsageConsumer } from '../src/usage-consumer';
import { storedUsage } from './cost-rows';
import { createRecordingLogger } from './recording-logger';
import { shadowCostContract } from './shadow-cost-contract';
import { usageEvent } from './usage-events';

/**
 * The exactly-once claims on the real backends: Postgres (true concurrent transactions) and
 * Redis Streams (consumer groups, XAUTOCLAIM), each test on its own database and key prefix.
 */
const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `sy-test-cost-${randomUUID()}:`;

let testDatabase: TestDatabase;
let db: Database;
const buses: Bus[] = [];

function newBus(prefix: string): Bus {
  const bus = createRedisBus(redisUrl, { keyPrefix: prefix });
  buses.push(bus);
  return bus;
}

async function newTenant(slug: string): Promise<string> {
  return (await db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }))).id;
}

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  db = testDatabase.db;
});

afterAll(async () => {
  for (const bus of buses) await bus.close();
  await testDatabase?.drop();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${runPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('usage consumer on Postgres and Redis', () => {
  it('counts an event once when several transactions insert it at the same time', async () => {
    const tenantId = await newTenant('pg-race');
    const event = usageEvent(tenantId, { costMicros: '1000' });
    const store = createCostStore(db);
    const recorded = await Promise.all(Array.from({ length: 6 }, () => store.recordUsage(tenantId, [event])));
    expect(recorded.reduce((sum, count) => sum + count, 0)).toBe(1);
    expect(await storedUsage(db, tenantId)).toEqual({ events: 1, requests: 1, costMicros: 1000n });
  });

  it('adds concurrent events of the same minute and model into one rollup row without conflicts', async () => {
    const tenantId = await newTenant('pg-rollup');
    const createdAt = new Date().toISOString();
    const store = createCostStore(db);
    const recorded = await Promise.all(Array.from({ length: 8 }, () => store.recordUsage(tenantId, [usageEvent(tenantId, { costMicros: '5', createdAt })])));
    expect(recorded).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(await storedUsage(db, tenantId)).toEqual({ events: 8, requests: 8, costMicros: 40n });
    const rows = await db.withTenant(tenantId, (tx) => tx.costRollup.count({ where: { tenantId } }));
    expect(rows).toBe(1);
  });

  it('two live consumers with replays in the stream count every request exactly once', async () => {
    const tenantA = await newTenant('pg-two-a');
    const tenantB = await newTenant('pg-two-b');
    const prefix = `${runPrefix}${randomUUID()}:`;
    const producer = newBus(prefix);
    const events = Array.from({ length: 40 }, (_, index) => usageEvent(index % 2 === 0 ? tenantA : tenantB, { costMicros: '10' }));
    for (const event of events) await producer.append(USAGE_STREAM, JSON.stringify(event));
    // Every fifth event is delivered twice (a producer retry).
    for (const event of events.filter((_, index) => index % 5 === 0)) await producer.append(USAGE_STREAM, JSON.stringify(event));

    const consumers = ['one', 'two'].map((name) =>
      startUsageConsumer({ db, bus: newBus(prefix), consumerName: name, batchSize: 7, blockMs: 50, logger: createRecordingLogger().logger }),
    );
    try {
      await vi.waitFor(
        async () => {
          expect(await storedUsage(db, tenantA)).toEqual({ events: 20, requests: 20, costMicros: 200n });
          expect(await storedUsage(db, tenantB)).toEqual({ events: 20, requests: 20, costMicros: 200n });
        },
        { timeout: 30_000, interval: 100 },
      );
    } finally {
      await Promise.all(consumers.map((consumer) => consumer.stop()));
    }
    expect(await producer.claimStale(USAGE_STREAM, COST_WRITER_GROUP, 'probe', 0, 100)).toEqual([]);
  });

  it('a second consumer claims and writes exactly once what a killed consumer read without acking', async () => {
    const tenantId = await newTenant('pg-crash');
    const prefix = `${runPrefix}${randomUUID()}:`;
    const producer = newBus(prefix);
    await producer.ensureGroup(USAGE_STREAM, COST_WRITER_GROUP);
    for (let index = 0; index < 5; index += 1) await producer.append(USAGE_STREAM, JSON.stringify(usageEvent(tenantId, { costMicros: '3' })));

    const killed = newBus(prefix);
    expect(await killed.readGroup(USAGE_STREAM, COST_WRITER_GROUP, 'killed', { count: 10, blockMs: 0 })).toHaveLength(5);
    await killed.close();

    const survivor = startUsageConsumer({ db, bus: newBus(prefix), consumerName: 'survivor', blockMs: 50, claimIdleMs: 0, logger: createRecordingLogger().logger });
    try {
      await vi.waitFor(async () => expect(await storedUsage(db, tenantId)).toEqual({ events: 5, requests: 5, costMicros: 15n }), { timeout: 30_000, interval: 100 });
      await vi.waitFor(async () => expect(await producer.claimStale(USAGE_STREAM, COST_WRITER_GROUP, 'probe', 0, 100)).toEqual([]), { timeout: 30_000 });
    } finally {
      await survivor.stop();
    }
    expect(await storedUsage(db, tenantId)).toEqual({ events: 5, requests: 5, costMicros: 15n });
  });
});

describe('shadow cost on Postgres', () => {
  shadowCostContract(() => db);
});
