import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMORY_RETENTION_DAYS } from '@switchyard/db/tenant-settings';
import { createMemoryTestDatabase, createTestDatabase } from '@switchyard/db/testing';
import type { Database } from '@switchyard/db';
import { createPrismaSessionDocumentStore } from './prisma-store';
import { subjectDataStoreContract } from '@switchyard/subject-data/contract';
import { sessionDocumentStoreContract, textUpdate } from './store.contract';
import { sessionDocumentsSubjectStore } from './subject-data';
import { DEFAULT_DOCUMENT_LIMITS } from './store';

async function newTenant(db: Database, classification = 'internal'): Promise<string> {
  const slug = `docs-${randomUUID().slice(0, 8)}`;
  return (await db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug, defaultDataClassification: classification }, select: { id: true } }))).id;
}

for (const [label, open] of [
  ['postgres', () => createTestDatabase()],
  ['pglite', () => createMemoryTestDatabase()],
] as const) {
  sessionDocumentStoreContract(label, async () => {
    const test = await open();
    return { store: createPrismaSessionDocumentStore(test.db), newTenant: () => newTenant(test.db), close: () => test.drop() };
  });
  subjectDataStoreContract(`session documents (${label})`, async () => {
    const test = await open();
    const store = createPrismaSessionDocumentStore(test.db);
    return {
      store: sessionDocumentsSubjectStore(store),
      newTenant: () => newTenant(test.db),
      seed: async (tenantId, subjectId) => {
        await store.append({ tenantId, sessionId: `s-${randomUUID()}`, update: textUpdate(`by ${subjectId}`), subjectIds: [subjectId], classification: 'internal', limits: DEFAULT_DOCUMENT_LIMITS, now: new Date() });
      },
      close: () => test.drop(),
    };
  });
}

describe.each([
  ['postgres', () => createTestDatabase()],
  ['pglite', () => createMemoryTestDatabase()],
] as const)('session documents in the database (%s)', (_label, open) => {
  let test: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    test = await open();
  });
  afterAll(async () => {
    await test?.drop();
  });

  it("expires by the tenant's current classification when it is stricter than the document's", async () => {
    const store = createPrismaSessionDocumentStore(test.db);
    const [strict, lax] = [await newTenant(test.db, 'restricted'), await newTenant(test.db, 'public')];
    const now = new Date();
    const written = new Date(now.getTime() - (MEMORY_RETENTION_DAYS.restricted + 1) * 86_400_000);
    const append = (tenantId: string) =>
      store.append({ tenantId, sessionId: 'notes', update: textUpdate('x'), subjectIds: [], classification: 'public', limits: DEFAULT_DOCUMENT_LIMITS, now: written });
    await append(strict);
    await append(lax);
    expect(await store.expire(now, MEMORY_RETENTION_DAYS)).toBe(1);
    expect(await store.load(strict, 'notes')).toBeNull();
    expect(await store.load(lax, 'notes')).not.toBeNull();
  });

  it('keeps rows apart by row-level security: the tenant role sees no other tenant’s documents, updates or subjects', async () => {
    const store = createPrismaSessionDocumentStore(test.db);
    const [a, b] = [await newTenant(test.db), await newTenant(test.db)];
    await store.append({ tenantId: a, sessionId: 'shared-id', update: textUpdate('secret'), subjectIds: ['alice'], classification: 'internal', limits: DEFAULT_DOCUMENT_LIMITS, now: new Date() });
    const seen = await test.db.withTenant(b, async (tx) => ({
      documents: await tx.$queryRaw<unknown[]>`SELECT 1 FROM session_documents`,
      updates: await tx.$queryRaw<unknown[]>`SELECT 1 FROM session_document_updates`,
      subjects: await tx.$queryRaw<unknown[]>`SELECT 1 FROM session_document_subjects`,
      wrote: await tx.$executeRaw`UPDATE session_documents SET state_bytes = 0 WHERE tenant_id = ${a}::uuid`,
    }));
    expect(seen).toEqual({ documents: [], updates: [], subjects: [], wrote: 0 });
    await expect(test.db.withTenant(b, (tx) => tx.$executeRaw`INSERT INTO session_document_subjects (tenant_id, session_id, subject_id) VALUES (${a}::uuid, 'shared-id', 'mallory')`)).rejects.toThrow();
    // Nor can a tenant run the retention sweep.
    await expect(test.db.withTenant(b, (tx) => tx.$queryRaw`SELECT switchyard_session_documents_expire(now(), '{"internal": 1}'::jsonb)`)).rejects.toThrow();
  });
});
