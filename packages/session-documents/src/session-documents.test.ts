import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createInProcessBus } from '@switchyard/bus';
import { MEMORY_RETENTION_DAYS } from '@switchyard/db/tenant-settings';
import { createSubjectDataRegistry } from '@switchyard/subject-data';
import { subjectDataStoreContract } from '@switchyard/subject-data/contract';
import { encodeBase64 } from './document';
import { createInMemorySessionDocumentStore } from './in-memory-store';
import { startRetentionSweep } from './retention';
import { createSessionDocuments } from './session-documents';
import { textUpdate } from './store.contract';
import { sessionDocumentsSubjectStore } from './subject-data';

const context = { subjectIds: [], classification: 'internal' } as const;

function twoReplicas() {
  const bus = createInProcessBus();
  const store = createInMemorySessionDocumentStore();
  const [a, b] = ['replica-a', 'replica-b'].map((replicaId) => createSessionDocuments({ store, bus, replicaId, limits: { maxUpdateBytes: 2048, maxDocumentsPerTenant: 3 } }));
  return { a: a!, b: b!, store, bus };
}

describe('session documents across replicas', () => {
  it("a write on one replica reaches the other replica's watchers once, and both read it", async () => {
    const { a, b } = twoReplicas();
    const tenant = randomUUID();
    const seenOnB: Uint8Array[] = [];
    const seenOnA: Uint8Array[] = [];
    await b.watch(tenant, 'notes', (update) => seenOnB.push(update));
    await a.watch(tenant, 'notes', (update) => seenOnA.push(update));
    const update = textUpdate('from a');
    expect(await a.write(tenant, 'notes', encodeBase64(update), context)).toEqual({ ok: true, duplicate: false, created: true, bytes: expect.any(Number) });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seenOnB).toEqual([update]);
    expect(seenOnA).toEqual([update]);
    // A replay is stored once and announced once.
    expect(await b.write(tenant, 'notes', encodeBase64(update), context)).toMatchObject({ ok: true, duplicate: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seenOnA).toHaveLength(1);
    expect((await b.read(tenant, 'notes'))?.content).toEqual({ notes: 'from a' });
    expect(await b.read(randomUUID(), 'notes')).toBeNull();
  });

  it('watchers of another tenant or session hear nothing; unwatching stops delivery', async () => {
    const { a, b } = twoReplicas();
    const [tenant, other] = [randomUUID(), randomUUID()];
    const heard: string[] = [];
    await b.watch(other, 'notes', () => heard.push('other tenant'));
    await b.watch(tenant, 'todo', () => heard.push('other session'));
    const stop = await b.watch(tenant, 'notes', () => heard.push('notes'));
    await a.write(tenant, 'notes', encodeBase64(textUpdate('x')), context);
    await new Promise((resolve) => setImmediate(resolve));
    await stop();
    await a.write(tenant, 'notes', encodeBase64(textUpdate('y')), context);
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual(['notes']);
  });

  it('refuses malformed, empty, oversized updates and new documents past the quota, storing nothing', async () => {
    const { a } = twoReplicas();
    const tenant = randomUUID();
    expect(await a.write(tenant, 'n', 'bm90IHlqcw==', context)).toMatchObject({ ok: false, refusal: 'malformed' });
    expect(await a.write(tenant, 'n', encodeBase64(Y.encodeStateAsUpdate(new Y.Doc())), context)).toMatchObject({ ok: false, refusal: 'empty' });
    expect(await a.write(tenant, 'n', encodeBase64(textUpdate('z'.repeat(3000))), context)).toMatchObject({ ok: false, refusal: 'update_too_large' });
    expect(await a.read(tenant, 'n')).toBeNull();
    for (const id of ['1', '2', '3']) expect(await a.write(tenant, id, encodeBase64(textUpdate(id)), context)).toMatchObject({ ok: true });
    expect(await a.write(tenant, '4', encodeBase64(textUpdate('4')), context)).toMatchObject({ ok: false, refusal: 'quota_exceeded' });
  });

  it('keeps a write whose announcement the bus refused (durable first), and says so', async () => {
    const bus = createInProcessBus();
    const failing = { ...bus, publish: () => Promise.reject(new Error('redis down')) };
    const store = createInMemorySessionDocumentStore();
    const failures: unknown[] = [];
    const documents = createSessionDocuments({ store, bus: failing, replicaId: 'r', onPublishFailed: (error) => failures.push(error) });
    const tenant = randomUUID();
    expect(await documents.write(tenant, 'notes', encodeBase64(textUpdate('kept')), context)).toMatchObject({ ok: true, created: true });
    expect(failures).toHaveLength(1);
    expect((await documents.read(tenant, 'notes'))?.content).toEqual({ notes: 'kept' });
  });

  it('ignores bus messages that are not session-document updates', async () => {
    const { b, bus } = twoReplicas();
    const tenant = randomUUID();
    const heard: Uint8Array[] = [];
    await b.watch(tenant, 'notes', (update) => heard.push(update));
    await bus.publish('switchyard:session-document.update', 'not json');
    await bus.publish('switchyard:session-document.update', JSON.stringify({ tenantId: tenant, sessionId: 'notes', update: '***', origin: 'x' }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual([]);
  });
});

describe('retention sweep', () => {
  it('deletes documents past their retention and reports how many', async () => {
    const store = createInMemorySessionDocumentStore();
    const tenant = randomUUID();
    const old = new Date(Date.now() - (MEMORY_RETENTION_DAYS.restricted + 1) * 86_400_000);
    await store.append({ tenantId: tenant, sessionId: 'old', update: textUpdate('o'), subjectIds: [], classification: 'restricted', limits: { maxDocumentBytes: 1e6, maxDocumentsPerTenant: 10, compactEvery: 10 }, now: old });
    const swept: number[] = [];
    const sweep = startRetentionSweep({ store, retentionDays: MEMORY_RETENTION_DAYS, intervalMs: 0, onSwept: (n) => swept.push(n) });
    expect(await sweep.sweep()).toBe(1);
    expect(await sweep.sweep()).toBe(0);
    sweep.stop();
    expect(swept).toEqual([1, 0]);
  });
});

describe('data-subject requests', () => {
  subjectDataStoreContract('session documents (in-memory)', async () => {
    const store = createInMemorySessionDocumentStore();
    const documents = createSessionDocuments({ store, bus: createInProcessBus(), replicaId: 'r' });
    return {
      store: sessionDocumentsSubjectStore(store),
      newTenant: async () => randomUUID(),
      seed: async (tenantId, subjectId) => {
        const outcome = await documents.write(tenantId, `s-${randomUUID()}`, encodeBase64(textUpdate(`note by ${subjectId}`)), { subjectIds: [subjectId], classification: 'internal' });
        if (!outcome.ok) throw new Error(outcome.detail);
      },
      close: () => documents.close(),
    };
  });

  it('exports the whole document a subject wrote to, with its content, through the registry', async () => {
    const store = createInMemorySessionDocumentStore();
    const documents = createSessionDocuments({ store, bus: createInProcessBus(), replicaId: 'r' });
    const tenant = randomUUID();
    await documents.write(tenant, 'shared', encodeBase64(textUpdate('alice was here')), { subjectIds: ['alice'], classification: 'confidential' });
    const registry = createSubjectDataRegistry([sessionDocumentsSubjectStore(store)]);
    const exported = await registry.exportSubject({ subjectId: 'alice' });
    expect(exported.stores[0]?.records).toEqual([
      { kind: 'session_document', tenantId: tenant, id: 'shared', createdAt: expect.any(String), updatedAt: expect.any(String), data: { content: { notes: 'alice was here' }, state: expect.any(String), dataClassification: 'confidential' } },
    ]);
    expect(await registry.eraseSubject({ subjectId: 'alice' })).toMatchObject({ complete: true, stores: [{ store: 'session-documents', erased: 1 }] });
    expect(await documents.read(tenant, 'shared')).toBeNull();
  });
});
