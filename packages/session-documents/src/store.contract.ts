// The contract every SessionDocumentStore passes (in-memory, Postgres, PGlite): DESIGN.md §6.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MEMORY_RETENTION_DAYS } from '@switchyard/db/tenant-settings';
import { documentJson } from './document';
import { DEFAULT_DOCUMENT_LIMITS, type AppendInput, type DocumentLimits, type SessionDocumentStore } from './store';

export interface SessionDocumentStoreHarness {
  store: SessionDocumentStore;
  newTenant(): Promise<string>;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

/** An update inserting `text` at the start of the `notes` text, from a fresh client. */
export function textUpdate(text: string, root = 'notes'): Uint8Array {
  const doc = new Y.Doc();
  doc.getText(root).insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

export function sessionDocumentStoreContract(label: string, open: () => Promise<SessionDocumentStoreHarness>): void {
  describe(`SessionDocumentStore contract: ${label}`, () => {
    let harness: SessionDocumentStoreHarness;
    let store: SessionDocumentStore;
    beforeAll(async () => {
      harness = await open();
      store = harness.store;
    });
    afterAll(async () => {
      await harness?.close();
    });
    const session = () => `s-${randomUUID()}`;
    const input = (tenantId: string, sessionId: string, update: Uint8Array, overrides: Partial<AppendInput> = {}): AppendInput => ({
      tenantId,
      sessionId,
      update,
      subjectIds: [],
      classification: 'internal',
      limits: DEFAULT_DOCUMENT_LIMITS,
      now: new Date(),
      ...overrides,
    });

    it('merges appended updates; another tenant sees nothing under the same session id', async () => {
      const [a, b] = [await harness.newTenant(), await harness.newTenant()];
      const id = session();
      expect(await store.load(a, id)).toBeNull();
      expect(await store.append(input(a, id, textUpdate('hello ')))).toMatchObject({ status: 'applied', created: true });
      expect(await store.append(input(a, id, textUpdate('world')))).toMatchObject({ status: 'applied', created: false });
      const loaded = await store.load(a, id);
      expect(loaded?.tenantId).toBe(a);
      expect(String(documentJson(loaded?.state ?? new Uint8Array()).notes).split('').sort().join('')).toBe('hello world'.split('').sort().join(''));
      expect(loaded?.bytes).toBeGreaterThan(0);
      expect(await store.load(b, id)).toBeNull();
      expect(await store.delete(b, id)).toBe(false);
      expect(await store.load(a, id)).not.toBeNull();
    });

    it('stores a replayed update once, concurrent replays included', async () => {
      const tenant = await harness.newTenant();
      const id = session();
      const update = textUpdate('once');
      const results = await Promise.all(Array.from({ length: 4 }, () => store.append(input(tenant, id, update))));
      expect(results.filter((result) => result.status === 'applied')).toHaveLength(1);
      expect(results.filter((result) => result.status === 'duplicate')).toHaveLength(3);
      expect(documentJson((await store.load(tenant, id))?.state ?? new Uint8Array())).toEqual({ notes: 'once' });
    });

    it('keeps every one of many concurrent writers’ updates, across compactions', async () => {
      const tenant = await harness.newTenant();
      const id = session();
      const limits: DocumentLimits = { ...DEFAULT_DOCUMENT_LIMITS, compactEvery: 3 };
      const writers = Array.from({ length: 10 }, (_, index) => {
        const doc = new Y.Doc();
        doc.getMap('agents').set(`agent-${index}`, index);
        return Y.encodeStateAsUpdate(doc);
      });
      const results = await Promise.all(writers.map((update) => store.append(input(tenant, id, update, { limits }))));
      expect(results.every((result) => result.status === 'applied')).toBe(true);
      expect(results.filter((result) => result.status === 'applied' && result.created)).toHaveLength(1);
      const agents = documentJson((await store.load(tenant, id))?.state ?? new Uint8Array()).agents as Record<string, number>;
      expect(Object.keys(agents)).toHaveLength(10);
    });

    it('compaction drops what deletions left behind, and the content stays the same', async () => {
      const tenant = await harness.newTenant();
      const id = session();
      const limits: DocumentLimits = { ...DEFAULT_DOCUMENT_LIMITS, compactEvery: 4 };
      const editor = new Y.Doc();
      const text = editor.getText('notes');
      let lastVector = Y.encodeStateVector(editor);
      const send = async () => {
        const update = Y.encodeStateAsUpdate(editor, lastVector);
        lastVector = Y.encodeStateVector(editor);
        return store.append(input(tenant, id, update, { limits }));
      };
      let written = 0;
      for (let round = 0; round < 12; round += 1) {
        text.insert(0, 'x'.repeat(500));
        written += 500;
        await send();
        text.delete(0, 500);
        await send();
      }
      text.insert(0, 'kept');
      await send();
      const loaded = await store.load(tenant, id);
      expect(documentJson(loaded?.state ?? new Uint8Array())).toEqual({ notes: 'kept' });
      // Without compaction the stored bytes would hold every inserted character.
      expect(loaded?.bytes ?? Infinity).toBeLessThan(written / 2);
    });

    it('refuses a new document past the tenant quota (concurrently too), never an existing one', async () => {
      const [tenant, other] = [await harness.newTenant(), await harness.newTenant()];
      const limits: DocumentLimits = { ...DEFAULT_DOCUMENT_LIMITS, maxDocumentsPerTenant: 2 };
      const first = session();
      await store.append(input(tenant, first, textUpdate('a'), { limits }));
      const racing = await Promise.all([session(), session(), session()].map((id) => store.append(input(tenant, id, textUpdate('b'), { limits }))));
      expect(racing.filter((result) => result.status === 'applied')).toHaveLength(1);
      expect(racing.filter((result) => result.status === 'quota_exceeded')).toEqual([
        { status: 'quota_exceeded', documents: 2, limit: 2 },
        { status: 'quota_exceeded', documents: 2, limit: 2 },
      ]);
      expect(await store.append(input(tenant, first, textUpdate('c'), { limits }))).toMatchObject({ status: 'applied' });
      expect(await store.append(input(other, session(), textUpdate('d'), { limits }))).toMatchObject({ status: 'applied' });
      expect(await store.list(tenant, { limit: 10 })).toHaveLength(2);
    });

    it('refuses an update that would make the document larger than allowed, storing nothing', async () => {
      const tenant = await harness.newTenant();
      const id = session();
      const limits: DocumentLimits = { ...DEFAULT_DOCUMENT_LIMITS, maxDocumentBytes: 600 };
      expect(await store.append(input(tenant, id, textUpdate('x'.repeat(1000)), { limits }))).toMatchObject({ status: 'document_too_large', limit: 600 });
      expect(await store.load(tenant, id)).toBeNull();
      await store.append(input(tenant, id, textUpdate('small'), { limits }));
      expect(await store.append(input(tenant, id, textUpdate('y'.repeat(590)), { limits }))).toMatchObject({ status: 'document_too_large' });
      expect(documentJson((await store.load(tenant, id))?.state ?? new Uint8Array())).toEqual({ notes: 'small' });
    });

    it('lists newest first, deletes once', async () => {
      const tenant = await harness.newTenant();
      const [older, newer] = [session(), session()];
      await store.append(input(tenant, older, textUpdate('o'), { now: new Date(Date.now() - 60_000) }));
      await store.append(input(tenant, newer, textUpdate('n')));
      expect((await store.list(tenant, { limit: 10 })).map((summary) => summary.sessionId)).toEqual([newer, older]);
      expect((await store.list(tenant, { limit: 1 })).map((summary) => summary.sessionId)).toEqual([newer]);
      expect(await store.delete(tenant, older)).toBe(true);
      expect(await store.delete(tenant, older)).toBe(false);
      expect(await store.load(tenant, older)).toBeNull();
    });

    it('finds a subject’s documents in one tenant or all, and keeps the stricter classification', async () => {
      const [a, b] = [await harness.newTenant(), await harness.newTenant()];
      const subject = `person-${randomUUID()}`;
      const [one, two, three] = [session(), session(), session()];
      await store.append(input(a, one, textUpdate('1'), { subjectIds: [subject, subject] }));
      await store.append(input(a, two, textUpdate('2'), { subjectIds: ['someone-else'] }));
      await store.append(input(b, three, textUpdate('3'), { subjectIds: [subject], classification: 'public' }));
      await store.append(input(b, three, textUpdate('4'), { classification: 'confidential' }));
      await store.append(input(b, three, textUpdate('5'), { classification: 'public' }));
      const all = await store.documentsOfSubject(subject);
      expect(all).toHaveLength(2);
      expect(new Set(all.map((ref) => `${ref.tenantId}/${ref.sessionId}`))).toEqual(new Set([`${a}/${one}`, `${b}/${three}`]));
      expect(await store.documentsOfSubject(subject, a)).toEqual([{ tenantId: a, sessionId: one }]);
      expect((await store.load(a, one))?.subjectIds).toEqual([subject]);
      expect((await store.load(b, three))?.classification).toBe('confidential');
    });

    it('expires documents past their classification’s retention since their last write', async () => {
      const tenant = await harness.newTenant();
      const now = new Date();
      const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
      const [restrictedOld, restrictedNew, internalOld, publicOld] = [session(), session(), session(), session()];
      await store.append(input(tenant, restrictedOld, textUpdate('r'), { classification: 'restricted', now: ago(MEMORY_RETENTION_DAYS.restricted + 1) }));
      await store.append(input(tenant, restrictedNew, textUpdate('r'), { classification: 'restricted', now: ago(MEMORY_RETENTION_DAYS.restricted - 1) }));
      await store.append(input(tenant, internalOld, textUpdate('i'), { classification: 'internal', now: ago(MEMORY_RETENTION_DAYS.restricted + 1) }));
      await store.append(input(tenant, publicOld, textUpdate('p'), { classification: 'public', now: ago(MEMORY_RETENTION_DAYS.internal - 1) }));
      expect(await store.expire(now, MEMORY_RETENTION_DAYS)).toBeGreaterThanOrEqual(1);
      expect(await store.load(tenant, restrictedOld)).toBeNull();
      expect(await store.load(tenant, restrictedNew)).not.toBeNull();
      expect(await store.load(tenant, internalOld)).not.toBeNull();
      expect(await store.load(tenant, publicOld)).not.toBeNull();
      // A write renews it.
      await store.append(input(tenant, internalOld, textUpdate('again'), { now }));
      expect(await store.expire(new Date(now.getTime() + (MEMORY_RETENTION_DAYS.internal - 1) * DAY_MS), MEMORY_RETENTION_DAYS)).toBeGreaterThanOrEqual(0);
      expect(await store.load(tenant, internalOld)).not.toBeNull();
    });
  });
}
