import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessBus } from '@switchyard/bus';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { MEMORY_RETENTION_DAYS } from '@switchyard/db/tenant-settings';
import { VECTOR_MEMORY_CHANGED_CHANNEL } from '@switchyard/events/vector-memory';
import { subjectDataStoreContract } from '@switchyard/subject-data/contract';
import type { NewMemory } from '../vector-memory';
import { createHnswVectorMemory } from './hnsw-vector-memory';
import { createPgvectorVectorMemory } from './pgvector-vector-memory';
import { announceVectorMemoryChanges, expireVectorMemories, vectorMemorySubjectStore } from './subject-data';

const DAY_MS = 24 * 60 * 60 * 1000;
const memoryOf = (subject: string | null, text = 'likes blue'): NewMemory => ({ id: randomUUID(), collection: 'facts', text, embeddingModel: 'mock-embed-1', embedding: [1, 0, 0, 0], subject });

async function newTenant(test: MemoryTestDatabase, classification = 'internal'): Promise<string> {
  return (await test.db.withPlatform((tx) => tx.tenant.create({ data: { slug: `vm-dsr-${randomUUID().slice(0, 8)}`, name: 'vm', defaultDataClassification: classification }, select: { id: true } }))).id;
}

// The PGlite database runs the same migrations, RLS and platform role as Postgres.
subjectDataStoreContract('vector memories (PGlite)', async () => {
  const test = await createMemoryTestDatabase();
  const memory = createPgvectorVectorMemory(test.db);
  return {
    store: vectorMemorySubjectStore(test.db),
    newTenant: () => newTenant(test),
    seed: async (tenantId, subjectId) => void (await memory.add(tenantId, memoryOf(subjectId))),
    close: () => test.drop(),
  };
});

describe('vector memories: data-subject requests and retention', () => {
  let test: MemoryTestDatabase;
  beforeAll(async () => {
    test = await createMemoryTestDatabase();
  });
  afterAll(async () => {
    await test?.drop();
  });

  it("exports a subject's memories with their text, never the embedding, and ignores a tenant id that is no uuid", async () => {
    const tenant = await newTenant(test);
    const subject = `user-${randomUUID()}`;
    await createPgvectorVectorMemory(test.db).add(tenant, memoryOf(subject, 'prefers email'));
    const [record] = await vectorMemorySubjectStore(test.db).exportSubject({ subjectId: subject });
    expect(record).toMatchObject({ kind: 'vector_memory', tenantId: tenant, data: { collection: 'facts', text: 'prefers email', subject } });
    expect(JSON.stringify(record)).not.toContain('embedding"');
    expect(await vectorMemorySubjectStore(test.db).exportSubject({ subjectId: subject, tenantId: "x' OR 1=1" })).toEqual([]);
  });

  it("erasure drops every replica's in-process index of the tenant, so an erased memory is not served from a stale copy", async () => {
    const bus = createInProcessBus();
    const replica = await createHnswVectorMemory(test.db, { bus, replicaId: 'replica-1' });
    const tenant = await newTenant(test);
    const subject = `user-${randomUUID()}`;
    await replica.add(tenant, memoryOf(subject, 'secret about the subject'));
    expect((await replica.search(tenant, 'facts', [1, 0, 0, 0], 5)).map((hit) => hit.memory.text)).toEqual(['secret about the subject']);
    const announced: string[] = [];
    await bus.subscribe(VECTOR_MEMORY_CHANGED_CHANNEL, (text) => void announced.push(text));
    expect(await vectorMemorySubjectStore(test.db, { announce: announceVectorMemoryChanges(bus) }).eraseSubject({ subjectId: subject })).toEqual({ erased: 1 });
    expect(announced).toHaveLength(1);
    expect(await replica.search(tenant, 'facts', [1, 0, 0, 0], 5)).toEqual([]);
    await replica.close();
  });

  it("retention deletes memories older than the tenant's classification allows, and only those", async () => {
    const internal = await newTenant(test, 'internal');
    const restricted = await newTenant(test, 'restricted');
    const memory = createPgvectorVectorMemory(test.db);
    for (const tenant of [internal, restricted]) await memory.add(tenant, memoryOf(null));
    const announced: string[] = [];
    const now = Date.now();
    // 8 days on: past restricted's 7, within internal's 90.
    expect(await expireVectorMemories(test.db, new Date(now + 8 * DAY_MS), MEMORY_RETENTION_DAYS, async (tenantId) => void announced.push(tenantId))).toBeGreaterThanOrEqual(1);
    expect(announced).toContain(restricted);
    expect(announced).not.toContain(internal);
    expect(await memory.list(restricted, { limit: 10 })).toEqual([]);
    expect(await memory.list(internal, { limit: 10 })).toHaveLength(1);
    await expireVectorMemories(test.db, new Date(now + 91 * DAY_MS), MEMORY_RETENTION_DAYS);
    expect(await memory.list(internal, { limit: 10 })).toEqual([]);
  });
});
