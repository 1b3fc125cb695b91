import { randomUUID } from 'node:crypto';
import type { Database } from '@switchyard/db';
import { createMemoryTestDatabase } from '@switchyard/db/testing';
import { runVectorMemoryContract } from '../vector-memory.contract';
import { createPgvectorVectorMemory } from './pgvector-vector-memory';

export async function createTenants(db: Database): Promise<[string, string]> {
  const create = async (slug: string) => (await db.withPlatform((tx) => tx.tenant.create({ data: { slug: `${slug}-${randomUUID().slice(0, 8)}`, name: slug }, select: { id: true } }))).id;
  return [await create('vm-a'), await create('vm-b')];
}

// The embedded default: PGlite with pgvector, the same migrations and row-level security as Postgres.
runVectorMemoryContract('PGlite + pgvector', async ({ maxMemoriesPerTenant }) => {
  const test = await createMemoryTestDatabase();
  const memory = createPgvectorVectorMemory(test.db, { maxMemoriesPerTenant });
  return { memory, tenants: await createTenants(test.db), close: () => test.drop() };
});
