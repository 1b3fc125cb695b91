import { createInProcessBus, createRedisBus } from '@switchyard/bus';
import { createDatabase } from '@switchyard/db';
import { createTestDatabase } from '@switchyard/db/testing';
import { randomUUID } from 'node:crypto';
import { runVectorMemoryContract } from '../vector-memory.contract';
import { createHnswVectorMemory } from './hnsw-vector-memory';
import { createTenants } from './test-tenants';

// Postgres deployments: rows in the real Postgres (RLS), HNSW in each replica. The peer is a
// second replica with its own connection pools; changes reach it over the real Redis bus.
runVectorMemoryContract('Postgres + HNSW', async ({ maxMemoriesPerTenant }) => {
  const test = await createTestDatabase();
  const second = await createDatabase({ url: test.url });
  const prefix = `test:${randomUUID()}:`;
  const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const busA = createRedisBus(redisUrl, { keyPrefix: prefix });
  const busB = createRedisBus(redisUrl, { keyPrefix: prefix });
  const memory = await createHnswVectorMemory(test.db, { bus: busA, maxMemoriesPerTenant });
  const peer = await createHnswVectorMemory(second, { bus: busB, maxMemoriesPerTenant });
  return {
    memory,
    peer,
    tenants: await createTenants(test.db),
    async close() {
      await memory.close();
      await peer.close();
      await busA.close();
      await busB.close();
      await second.close();
      await test.drop();
    },
  };
});

// The same behaviour with the in-process bus (one process, two stores).
runVectorMemoryContract('Postgres + HNSW, in-process bus', async ({ maxMemoriesPerTenant }) => {
  const test = await createTestDatabase();
  const bus = createInProcessBus();
  const memory = await createHnswVectorMemory(test.db, { bus, maxMemoriesPerTenant });
  const peer = await createHnswVectorMemory(test.db, { bus, maxMemoriesPerTenant });
  return {
    memory,
    peer,
    tenants: await createTenants(test.db),
    async close() {
      await memory.close();
      await peer.close();
      await bus.close();
      await test.drop();
    },
  };
});
