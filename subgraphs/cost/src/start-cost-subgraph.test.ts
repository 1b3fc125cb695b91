import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessBus } from '@switchyard/bus';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { USAGE_STREAM, type UsageEvent } from '@switchyard/events/usage';
import type { StartedSubgraph } from '@switchyard/subgraph-kit/runtime';
import { startCostSubgraph } from './start-cost-subgraph';
import { COST_WRITER_GROUP } from './usage-consumer';

/**
 * A replica of the cost subgraph is one competing member of the usage stream's group. When another
 * member died between reading entries and acking them, this one takes them over after the
 * runtime's claim idle time (STREAM_CLAIM_IDLE_MS) and writes each once.
 */
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;
const refuseTokens = () => Promise.reject(new Error('no calls in this test'));

let database: MemoryTestDatabase;
let tenantId: string;
beforeAll(async () => {
  database = await createMemoryTestDatabase();
  tenantId = (await database.db.withPlatform((tx) => tx.tenant.create({ data: { slug: `claim-${randomUUID().slice(0, 8)}`, name: 'claim' }, select: { id: true } }))).id;
});
afterAll(async () => {
  await database?.drop();
});

function usage(requestId: string): UsageEvent {
  return { requestId, tenantId, apiKeyId: null, model: 'mock-gpt', provider: 'mock', promptTokens: 3, completionTokens: 2, priceBookVersion: 1, costMicros: '7', latencyMs: 1, status: 'ok', createdAt: new Date().toISOString() };
}

describe('startCostSubgraph: the usage consumer as a competing group member', () => {
  it("takes over what a dead member left pending after the runtime's claim idle time, and counts each request once", async () => {
    const bus = createInProcessBus();
    let started: StartedSubgraph | undefined;
    try {
      await bus.ensureGroup(USAGE_STREAM, COST_WRITER_GROUP);
      const ids = Array.from({ length: 3 }, (_, i) => `claimed-${i}-${randomUUID()}`);
      for (const id of ids) await bus.append(USAGE_STREAM, JSON.stringify(usage(id)));
      // The other replica read them and was killed before it acked.
      expect(await bus.readGroup(USAGE_STREAM, COST_WRITER_GROUP, 'killed-replica', { count: 10, blockMs: 0 })).toHaveLength(3);

      started = startCostSubgraph({ db: database.db, bus, verifyInternalToken: refuseTokens, logger: silent, streamClaimIdleMs: 50 });
      const written = async () => database.db.withTenant(tenantId, (tx) => tx.usageEvent.count({ where: { requestId: { in: ids } } }));
      // With the default (30 s) nothing would be claimed within this wait: the runtime's bound is what acts.
      const giveUpAt = Date.now() + 15_000;
      while (Date.now() < giveUpAt && (await written()) < ids.length) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(await written()).toBe(3);
      expect(await bus.groupInfo(USAGE_STREAM, COST_WRITER_GROUP)).toEqual({ lag: 0, pending: 0 });
      const rollups = await database.db.withTenant(tenantId, (tx) => tx.costRollup.findMany({ where: { tenantId } }));
      expect(rollups.reduce((sum, row) => sum + row.requests, 0)).toBe(3);
    } finally {
      await started?.close();
      await bus.close();
    }
  });
});
