import { randomUUID } from 'node:crypto';
import { createInMemoryVectorMemory } from './in-memory-vector-memory';
import { runVectorMemoryContract } from './vector-memory.contract';

runVectorMemoryContract('in-process', async ({ maxMemoriesPerTenant }) => {
  const memory = createInMemoryVectorMemory({ maxMemoriesPerTenant });
  return { memory, tenants: [randomUUID(), randomUUID()], close: () => memory.close() };
});
