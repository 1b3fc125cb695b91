import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { USAGE_STREAM, type UsageEvent } from '@switchyard/events/usage';
import { createRedisBus, type Bus } from '@switchyard/bus';
import { COST_WRITER_GROUP, startUsageConsumer } from '@switchyard/subgraph-cost';
import { AUDIT_USAGE_GROUP, auditKeysFromJson, createAuditLedger, createPrismaAuditStore, databaseAnchor, generateAuditKeysDocument, startAuditConsumer } from '@switchyard/subgraph-audit';
import { startChild } from '../../testkit/faults/child-process';
import { REDIS_URL } from '../../testkit/faults/catalogue-stack';

/**
 * Fault catalogue, consumer row: the cost and audit consumers run as their own OS process and are
 * SIGKILLed in the middle of a backlog (some batches committed and acked, one typically committed
 * but not acked, one read but not committed). A survivor takes over the pending entries: every
 * request is counted exactly once in cost and appears exactly once in the audit log.
 */
const EVENTS = 200;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

let testDatabase: TestDatabase;
let db: Database;
let tenantId: string;
const prefix = `sy-test-crash-${randomUUID()}:`;
const buses: Bus[] = [];

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  db = testDatabase.db;
  tenantId = (await db.withPlatform((tx) => tx.tenant.create({ data: { slug: `crash-${randomUUID().slice(0, 8)}`, name: 'crash' }, select: { id: true } }))).id;
});

afterAll(async () => {
  for (const bus of buses) await bus.close();
  await testDatabase?.drop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

async function counts(): Promise<{ events: number; requests: number; costMicros: bigint; audit: number }> {
  const cost = await db.withTenant(tenantId, async (tx) => {
    const events = await tx.usageEvent.count({ where: { tenantId } });
    const rollups = await tx.costRollup.findMany({ where: { tenantId } });
    return { events, requests: rollups.reduce((sum, row) => sum + row.requests, 0), costMicros: rollups.reduce((sum, row) => sum + row.costMicros, 0n) };
  });
  const audit = await db.withPlatform((tx) => tx.auditEntry.count({ where: { tenantId, action: 'inference.request' } }));
  return { ...cost, audit };
}

describe('fault catalogue: event consumer killed mid-batch', () => {
  it(`kill -9 of the cost and audit consumers mid-backlog: a survivor finishes, ${EVENTS} requests counted once, audited once`, async () => {
    const producer = createRedisBus(REDIS_URL, { keyPrefix: prefix });
    buses.push(producer);
    await producer.ensureGroup(USAGE_STREAM, COST_WRITER_GROUP);
    await producer.ensureGroup(USAGE_STREAM, AUDIT_USAGE_GROUP);
    for (let i = 0; i < EVENTS; i += 1) {
      const event: UsageEvent = {
        requestId: `crash-${i}-${randomUUID().slice(0, 8)}`,
        tenantId,
        apiKeyId: null,
        model: 'mock-gpt',
        provider: 'mock',
        promptTokens: 10,
        completionTokens: 5,
        priceBookVersion: 1,
        costMicros: '3',
        latencyMs: 4,
        status: 'ok',
        createdAt: new Date().toISOString(),
      };
      await producer.append(USAGE_STREAM, JSON.stringify(event));
    }

    const auditKeys = JSON.stringify(generateAuditKeysDocument());
    const env = { DATABASE_URL: testDatabase.url, REDIS_URL, REDIS_KEY_PREFIX: prefix, AUDIT_KEYS: auditKeys, BATCH_SIZE: '10', READ_PAUSE_MS: '50' };
    const [doomedCost, doomedAudit] = await Promise.all([
      startChild('e2e/testkit/faults/event-consumers-child.ts', { ...env, CONSUMER_KIND: 'cost', CONSUMER_NAME: 'doomed-cost' }, /(consumer running)/, 'cost-consumer'),
      startChild('e2e/testkit/faults/event-consumers-child.ts', { ...env, CONSUMER_KIND: 'audit', CONSUMER_NAME: 'doomed-audit' }, /(consumer running)/, 'audit-consumer'),
    ]);
    // Kill each as soon as it has made some work durable: most of its backlog is not.
    const killWhen = async (progressed: (c: Awaited<ReturnType<typeof counts>>) => boolean, kill: () => Promise<void>) => {
      for (let i = 0; i < 3_000 && !progressed(await counts()); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      await kill();
    };
    await Promise.all([killWhen((c) => c.events > 0, () => doomedCost.kill()), killWhen((c) => c.audit > 0, () => doomedAudit.kill())]);
    const atKill = await counts();
    expect(atKill.events).toBeGreaterThan(0);
    expect(atKill.events).toBeLessThan(EVENTS);
    expect(atKill.audit).toBeGreaterThan(0);
    expect(atKill.audit).toBeLessThan(EVENTS);

    const survivorBus = createRedisBus(REDIS_URL, { keyPrefix: prefix });
    const survivorAuditBus = createRedisBus(REDIS_URL, { keyPrefix: prefix });
    buses.push(survivorBus, survivorAuditBus);
    const store = createPrismaAuditStore(db);
    const ledger = createAuditLedger({ store, keys: auditKeysFromJson(auditKeys), anchors: [databaseAnchor(store)], checkpointEvery: 100_000, checkpointIntervalMs: 0 });
    const cost = startUsageConsumer({ db, bus: survivorBus, consumerName: 'survivor-cost', logger: silent, blockMs: 100, claimIdleMs: 0 });
    const audit = startAuditConsumer({ ledger, bus: survivorAuditBus, consumerName: 'survivor-audit', logger: silent, blockMs: 100, claimIdleMs: 0, retryDelayMs: 100 });
    try {
      let done = await counts();
      for (let i = 0; i < 1_200 && (done.events < EVENTS || done.audit < EVENTS); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        done = await counts();
      }
      // Let a wrongly duplicated write land before the final count.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await counts()).toEqual({ events: EVENTS, requests: EVENTS, costMicros: BigInt(3 * EVENTS), audit: EVENTS });
      // Nothing left pending in either group.
      expect(await producer.claimStale(USAGE_STREAM, COST_WRITER_GROUP, 'probe', 0, 10)).toEqual([]);
      expect(await producer.claimStale(USAGE_STREAM, AUDIT_USAGE_GROUP, 'probe', 0, 10)).toEqual([]);
    } finally {
      await cost.stop();
      await audit.stop();
      await ledger.close();
    }
  });
});
