import { randomUUID } from 'node:crypto';
import { createInMemorySessionDocumentStore } from './in-memory-store';
import { sessionDocumentStoreContract } from './store.contract';

sessionDocumentStoreContract('in-memory', async () => ({ store: createInMemorySessionDocumentStore(), newTenant: async () => randomUUID(), close: async () => {} }));
