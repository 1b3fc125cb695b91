import { createMemoryTestDatabase } from '@switchyard/db/testing';
import { runVectorMemoryContract } from '../vector-memory.contract';
import { createPgvectorVectorMemory } from './pgvector-vector-memory';
import { createTenants } from './test-tenants';


// The embedded default: PGlite with pgvector, the same migrations and row-level security as Postgres.
runVectorMemoryContract('PGlite + pgvector', async ({ maxMemoriesPerTenant }) => {
  const test = await createMemoryTestDatabase();
  const memory = createPgvectorVectorMemory(test.db, { maxMemoriesPerTenant });
  return { memory, tenants: await createTenants(test.db), close: () => test.drop() };
});
