import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { MEMORY_RETENTION_DAYS } from '@switchyard/db/tenant-settings';
import { subjectDataStoreContract } from '@switchyard/subject-data/contract';
import { createDatabaseSessionSnapshot } from './database-session-snapshot';
import { createInProcessSessionWindow } from './in-process-session-window';
import { expireSessionSnapshots, sessionWindowSubjectStore } from './session-subject-data';
import { CONTRACT_LIMITS, storedResponse } from './session-window.contract';
import { createSnapshottedSessionWindow } from './snapshotted-session-window';

const DAY_MS = 24 * 60 * 60 * 1000;

async function newTenant(test: MemoryTestDatabase, classification = 'internal'): Promise<string> {
  return (await test.db.withPlatform((tx) => tx.tenant.create({ data: { slug: `mem-dsr-${randomUUID().slice(0, 8)}`, name: 'm', defaultDataClassification: classification }, select: { id: true } }))).id;
}

// PGlite: the same migrations, RLS and platform role as Postgres.
subjectDataStoreContract('session window snapshot (PGlite)', async () => {
  const test = await createMemoryTestDatabase();
  const window = createSnapshottedSessionWindow(createInProcessSessionWindow({ limits: CONTRACT_LIMITS }), createDatabaseSessionSnapshot(test.db), { limits: CONTRACT_LIMITS });
  return {
    store: sessionWindowSubjectStore(test.db),
    newTenant: () => newTenant(test),
    // One item: a stored response naming its subject in metadata (the session keyed by the subject is the test below).
    seed: async (tenantId, subjectId) => window.putResponse(tenantId, storedResponse({ id: `resp_${randomUUID()}`, sessionId: `other-${randomUUID()}`, metadata: { subject: subjectId } })),
    close: () => test.drop(),
  };
});

describe('session window: data-subject requests and retention', () => {
  let test: MemoryTestDatabase;
  beforeAll(async () => {
    test = await createMemoryTestDatabase();
  });
  afterAll(async () => {
    await test?.drop();
  });

  it("exports the subject's session turns and stored responses, and erases them from the snapshot and the fast store", async () => {
    const tenant = await newTenant(test);
    const subject = `user-${randomUUID()}`;
    const fast = createInProcessSessionWindow({ limits: CONTRACT_LIMITS });
    const window = createSnapshottedSessionWindow(fast, createDatabaseSessionSnapshot(test.db), { limits: CONTRACT_LIMITS });
    await window.appendTurns(tenant, subject, [{ role: 'user', content: 'my address is 1 Main St' }]);
    const inSession = storedResponse({ id: `resp_${randomUUID()}`, sessionId: subject });
    const tagged = storedResponse({ id: `resp_${randomUUID()}`, sessionId: 'shared-session', metadata: { subject } });
    const unrelated = storedResponse({ id: `resp_${randomUUID()}`, sessionId: 'someone-else' });
    await window.putResponse(tenant, inSession);
    await window.putResponse(tenant, tagged);
    await window.putResponse(tenant, unrelated);
    await window.appendTurns(tenant, 'someone-else', [{ role: 'user', content: 'not about the subject' }]);

    const store = sessionWindowSubjectStore(test.db, { fast });
    const exported = await store.exportSubject({ subjectId: subject });
    expect(exported.map((record) => [record.kind, record.id])).toEqual([
      ['session_window', subject],
      ['stored_response', inSession.id],
      ['stored_response', tagged.id],
    ]);
    expect(exported[0]!.data).toEqual({ turns: [{ role: 'user', content: 'my address is 1 Main St' }] });

    expect(await store.eraseSubject({ subjectId: subject })).toEqual({ erased: 3 });
    // Gone from the fast store too, so the snapshotted window cannot serve (or restore) it.
    expect(await window.recentTurns(tenant, subject, 10)).toEqual([]);
    expect(await window.getResponse(tenant, inSession.id)).toBeNull();
    expect(await window.getResponse(tenant, tagged.id)).toBeNull();
    expect(await window.getResponse(tenant, unrelated.id)).toEqual(unrelated);
    expect(await window.recentTurns(tenant, 'someone-else', 10)).toHaveLength(1);
  });

  it("retention deletes snapshot rows past their TTL or older than their tenant's classification allows", async () => {
    const internal = await newTenant(test, 'internal');
    const restricted = await newTenant(test, 'restricted');
    const snapshot = createDatabaseSessionSnapshot(test.db);
    const longTtl = new Date(Date.now() + 400 * DAY_MS);
    for (const tenant of [internal, restricted]) {
      await snapshot.saveWindow(tenant, 'kept-long', [{ role: 'user', content: 'x' }], longTtl);
      await snapshot.saveResponse(tenant, storedResponse({ id: `resp_${tenant}`, sessionId: 'kept-long' }), 10, longTtl);
    }
    await snapshot.saveWindow(internal, 'short-ttl', [{ role: 'user', content: 'y' }], new Date(Date.now() + DAY_MS));
    const count = async (tenant: string) =>
      test.db.withTenant(tenant, async (tx) => (await tx.memorySession.count({ where: { tenantId: tenant } })) + (await tx.memoryResponse.count({ where: { tenantId: tenant } })));

    // 2 days on: the 1-day TTL row is dead, the rest within both classifications' retention.
    expect(await expireSessionSnapshots(test.db, new Date(Date.now() + 2 * DAY_MS), MEMORY_RETENTION_DAYS)).toBeGreaterThanOrEqual(1);
    expect([await count(internal), await count(restricted)]).toEqual([2, 2]);
    // 8 days on: past restricted's 7, within internal's 90.
    await expireSessionSnapshots(test.db, new Date(Date.now() + 8 * DAY_MS), MEMORY_RETENTION_DAYS);
    expect([await count(internal), await count(restricted)]).toEqual([2, 0]);
    await expireSessionSnapshots(test.db, new Date(Date.now() + 91 * DAY_MS), MEMORY_RETENTION_DAYS);
    expect(await count(internal)).toBe(0);
  });
});
