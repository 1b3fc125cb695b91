import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { DEFAULT_DOCUMENT_LIMITS, documentJson } from '@switchyard/session-documents';
import { createPrismaSessionDocumentStore } from '@switchyard/session-documents/prisma';
import { createInProcessSessionWindow, createSnapshottedSessionWindow } from '@switchyard/memory/session';
import { createDatabaseSessionSnapshot } from '@switchyard/memory/session/database';
import { createPgvectorVectorMemory } from '@switchyard/vector-memory/database';
import { databaseAnchor } from './anchor';
import { generateAuditKeys } from './audit-keys';
import { createAuditLedger, type AuditLedger } from './audit-ledger';
import { createPrismaAuditStore } from './prisma-audit-store';
import { auditLogSubjectStore, subjectDataStores } from './subject-requests';

function note(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('notes').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

/** A data-subject request covers the audit log and the memory fabric (session documents, session window, vector memories), on PGlite. */
describe('data-subject requests across stores', () => {
  let test: MemoryTestDatabase;
  let ledger: AuditLedger;
  let tenantId: string;

  beforeAll(async () => {
    test = await createMemoryTestDatabase();
    const store = createPrismaAuditStore(test.db);
    ledger = createAuditLedger({ store, keys: generateAuditKeys(), anchors: [databaseAnchor(store)], checkpointIntervalMs: 0 });
    tenantId = (await test.db.withPlatform((tx) => tx.tenant.create({ data: { slug: 'dsr', name: 'dsr' }, select: { id: true } }))).id;
  });
  afterAll(async () => {
    await ledger.close();
    await test.drop();
  });

  it("exports a person's audit entries and memory-fabric data, then erases all of it; someone else's stay", async () => {
    const documents = createPrismaSessionDocumentStore(test.db);
    const append = (sessionId: string, text: string, subjectIds: string[]) =>
      documents.append({ tenantId, sessionId, update: note(text), subjectIds, classification: 'internal', limits: DEFAULT_DOCUMENT_LIMITS, now: new Date() });
    await ledger.append({ idempotencyKey: 'dsr-1', tenantId, actor: 'user:alice', action: 'member.add', subjectId: 'alice', payload: { email: 'alice@example.com' } });
    await append('alice-notes', 'alice: call the bank', ['alice']);
    await append('bob-notes', 'bob: private', ['bob']);
    const fast = createInProcessSessionWindow();
    const window = createSnapshottedSessionWindow(fast, createDatabaseSessionSnapshot(test.db));
    await window.appendTurns(tenantId, 'alice', [{ role: 'user', content: 'alice: my card ends 4242' }]);
    await window.appendTurns(tenantId, 'bob', [{ role: 'user', content: 'bob: private turn' }]);
    const vectors = createPgvectorVectorMemory(test.db);
    const vector = (text: string, subject: string) => ({ id: randomUUID(), collection: 'facts', text, embeddingModel: 'mock-embed-1', embedding: [1, 0], subject });
    await vectors.add(tenantId, vector('alice likes tea', 'alice'));
    await vectors.add(tenantId, vector('bob: private memory', 'bob'));

    const registry = subjectDataStores(test.db, ledger, { sessionWindow: fast });
    expect(registry.names()).toEqual(['audit-log', 'session-documents', 'session-window', 'vector-memories']);
    const exported = await registry.exportSubject({ subjectId: 'alice' });
    const byStore = Object.fromEntries(exported.stores.map((part) => [part.store, part.records]));
    expect(byStore['audit-log']?.map((record) => (record.data as { payload: string }).payload)).toEqual(['{"email":"alice@example.com"}']);
    expect(byStore['session-documents']?.map((record) => [record.id, (record.data as { content: unknown }).content])).toEqual([['alice-notes', { notes: 'alice: call the bank' }]]);
    expect(byStore['session-window']?.map((record) => record.data)).toEqual([{ turns: [{ role: 'user', content: 'alice: my card ends 4242' }] }]);
    expect(byStore['vector-memories']?.map((record) => (record.data as { text: string }).text)).toEqual(['alice likes tea']);
    expect(JSON.stringify(exported)).not.toContain('bob: private');

    const erasure = await registry.eraseSubject({ subjectId: 'alice' });
    expect(erasure).toEqual({
      subjectId: 'alice',
      tenantId: null,
      complete: true,
      stores: [
        { store: 'audit-log', erased: 1 },
        { store: 'session-documents', erased: 1 },
        { store: 'session-window', erased: 1 },
        { store: 'vector-memories', erased: 1 },
      ],
    });
    expect(await window.recentTurns(tenantId, 'alice', 10)).toEqual([]);
    expect(await window.recentTurns(tenantId, 'bob', 10)).toHaveLength(1);
    expect((await vectors.list(tenantId, { limit: 10 })).map((memory) => memory.text)).toEqual(['bob: private memory']);
    expect(await documents.load(tenantId, 'alice-notes')).toBeNull();
    expect((await ledger.exportSubject('alice')).map((entry) => entry.payloadState)).toEqual(['ERASED']);
    expect(documentJson((await documents.load(tenantId, 'bob-notes'))!.state)).toEqual({ notes: 'bob: private' });
    // Again: nothing left to erase, and it succeeds.
    expect((await registry.eraseSubject({ subjectId: 'alice' })).stores).toEqual([
      { store: 'audit-log', erased: 0 },
      { store: 'session-documents', erased: 0 },
      { store: 'session-window', erased: 0 },
      { store: 'vector-memories', erased: 0 },
    ]);
  });

  it('refuses a tenant-limited erasure of the audit log (its key is per subject, in every tenant) and says the erasure is incomplete', async () => {
    const erasure = await subjectDataStores(test.db, ledger).eraseSubject({ subjectId: 'carol', tenantId });
    expect(erasure.complete).toBe(false);
    expect(erasure.stores[0]).toMatchObject({ store: 'audit-log', error: expect.stringContaining('every tenant') });
    expect(erasure.stores[1]).toEqual({ store: 'session-documents', erased: 0 });
    expect(await auditLogSubjectStore(ledger).exportSubject({ subjectId: 'carol', tenantId })).toEqual([]);
  });
});
