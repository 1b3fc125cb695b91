import { randomUUID } from 'node:crypto';
import type { Database } from '@switchyard/db';
import { createMemoryTestDatabase, createTestDatabase } from '@switchyard/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseSessionSnapshot } from './database-session-snapshot';
import { createInProcessSessionWindow } from './in-process-session-window';
import { createSnapshottedSessionWindow } from './snapshotted-session-window';
import { CONTRACT_LIMITS, runSessionWindowContract, storedResponse } from './session-window.contract';

/** The snapshot on real Postgres and on PGlite: the same migrations and row-level security. */
for (const kind of ['postgres', 'pglite'] as const) {
  describe(`session window snapshot on ${kind}`, () => {
    let db: Database;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const opened = kind === 'postgres' ? await createTestDatabase() : await createMemoryTestDatabase();
      db = opened.db;
      drop = opened.drop;
    });
    afterAll(async () => drop());

    const newTenant = async () => (await db.withPlatform((tx) => tx.tenant.create({ data: { slug: `mem-${randomUUID()}`, name: 'memory' }, select: { id: true } }))).id;
    const snapshotted = () => createSnapshottedSessionWindow(createInProcessSessionWindow({ limits: CONTRACT_LIMITS }), createDatabaseSessionSnapshot(db), { limits: CONTRACT_LIMITS });

    runSessionWindowContract(`in-process + ${kind} snapshot`, snapshotted, newTenant);

    it('serves stored responses and windows from the snapshot after the fast store lost everything', async () => {
      const tenantId = await newTenant();
      const before = snapshotted();
      const response = storedResponse();
      await before.putResponse(tenantId, response);
      await before.appendTurns(tenantId, 'conversation', [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'answer' }]);

      const restored: string[] = [];
      const fresh = createInProcessSessionWindow({ limits: CONTRACT_LIMITS });
      const after = createSnapshottedSessionWindow(fresh, createDatabaseSessionSnapshot(db), { limits: CONTRACT_LIMITS, onRestored: (what) => restored.push(what) });
      expect(await after.getResponse(tenantId, response.id)).toEqual(response);
      expect(await fresh.getResponse(tenantId, response.id)).toEqual(response); // put back into the fast store
      expect((await after.appendTurns(tenantId, 'conversation', [{ role: 'user', content: 'second' }])).map((t) => t.content)).toEqual(['first', 'answer', 'second']);
      expect(restored).toEqual(['response', 'window']);
    });

    it('concurrent reads of a lost session restore it once (no repeated turns)', async () => {
      const tenantId = await newTenant();
      await snapshotted().appendTurns(tenantId, 'lost', [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }]);
      const fresh = createInProcessSessionWindow({ limits: CONTRACT_LIMITS });
      const after = createSnapshottedSessionWindow(fresh, createDatabaseSessionSnapshot(db), { limits: CONTRACT_LIMITS });
      const reads = await Promise.all(Array.from({ length: 5 }, () => after.recentTurns(tenantId, 'lost', 5)));
      for (const turns of reads) expect(turns.map((t) => t.content)).toEqual(['a', 'b']);
      expect((await fresh.recentTurns(tenantId, 'lost', 5)).map((t) => t.content)).toEqual(['a', 'b']);
    });

    it('a deleted response does not come back from the snapshot', async () => {
      const tenantId = await newTenant();
      const response = storedResponse();
      await snapshotted().putResponse(tenantId, response);
      expect(await snapshotted().deleteResponse(tenantId, response.id)).toBe(true);
      expect(await snapshotted().getResponse(tenantId, response.id)).toBeNull();
    });

    it("row-level security keeps one tenant's snapshot rows from another", async () => {
      const [a, b] = [await newTenant(), await newTenant()];
      const response = storedResponse();
      await createDatabaseSessionSnapshot(db).saveResponse(a, response, 100, new Date(Date.now() + 60_000));
      // Even a query without a tenant filter, run as tenant b, sees nothing of a's.
      expect(await db.withTenant(b, (tx) => tx.memoryResponse.count())).toBe(0);
      expect(await db.withTenant(a, (tx) => tx.memoryResponse.count())).toBe(1);
      await expect(db.withTenant(b, (tx) => tx.memoryResponse.create({ data: { tenantId: a, id: 'resp_x', sessionId: 's', record: {}, bytes: 1, expiresAt: new Date() } }))).rejects.toThrow();
    });

    it('an expired snapshot row reads as absent and is removed on the next write', async () => {
      const tenantId = await newTenant();
      const snapshot = createDatabaseSessionSnapshot(db);
      const old = storedResponse();
      await snapshot.saveResponse(tenantId, old, 10, new Date(Date.now() - 1_000));
      expect(await snapshot.loadResponse(tenantId, old.id)).toBeNull();
      await snapshot.saveResponse(tenantId, storedResponse(), 10, new Date(Date.now() + 60_000));
      expect(await db.withTenant(tenantId, (tx) => tx.memoryResponse.count({ where: { id: old.id } }))).toBe(0);
    });

    it('lists a tenant\'s sessions newest first, page by page, and inspects one (windows and stored responses folded together)', async () => {
      const tenantId = await newTenant();
      const directory = createDatabaseSessionSnapshot(db);
      const window = snapshotted();
      const responded = storedResponse({ sessionId: 'only-responses' });
      await window.putResponse(tenantId, responded);
      await window.appendTurns(tenantId, 'only-turns', [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }]);
      const both = storedResponse({ sessionId: 'both' });
      await window.putResponse(tenantId, both);
      await window.appendTurns(tenantId, 'both', [{ role: 'user', content: 'c' }]);
      // Another tenant's session never shows.
      await window.appendTurns(await newTenant(), 'foreign', [{ role: 'user', content: 'x' }]);

      const all = await directory.listSessions(tenantId, { limit: 10 });
      expect(all.map((s) => s.sessionId)).toEqual(['both', 'only-turns', 'only-responses']);
      expect(all[0]).toMatchObject({ turns: 1, responses: 1 });
      expect(all[1]).toMatchObject({ turns: 2, responses: 0 });
      expect(all[2]).toMatchObject({ turns: 0, responses: 1 });
      expect(all.every((s) => s.bytes > 0 && s.expiresAt > s.updatedAt)).toBe(true);

      const first = await directory.listSessions(tenantId, { limit: 2 });
      const rest = await directory.listSessions(tenantId, { limit: 2, before: first[1]! });
      expect([...first, ...rest].map((s) => s.sessionId)).toEqual(all.map((s) => s.sessionId));

      expect(await directory.getSession(tenantId, 'both')).toMatchObject({ sessionId: 'both', turns: 1, responses: 1 });
      expect(await directory.getSession(tenantId, 'foreign')).toBeNull();
      expect(await directory.sessionResponses(tenantId, 'both', 10)).toEqual([both]);

      expect(await window.deleteSession(tenantId, 'both')).toBe(true);
      expect(await directory.getSession(tenantId, 'both')).toBeNull();
      // Gone from the snapshot as well: a fresh fast store restores nothing.
      const fresh = createSnapshottedSessionWindow(createInProcessSessionWindow({ limits: CONTRACT_LIMITS }), directory, { limits: CONTRACT_LIMITS });
      expect(await fresh.getResponse(tenantId, both.id)).toBeNull();
      expect(await fresh.recentTurns(tenantId, 'both', 5)).toEqual([]);
    });
  });
}
