import { afterAll, beforeAll } from 'vitest';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair } from '@switchyard/identity';
import { createInProcessSessionWindow, createSnapshottedSessionWindow, type SessionWindow } from '@switchyard/memory/session';
import { createDatabaseSessionSnapshot } from '@switchyard/memory/session/database';
import { createGraphQLRequest, listenOnLoopback } from '@switchyard/subgraph-kit/testing';
import { createPgvectorVectorMemory } from '@switchyard/vector-memory/database';
import { runMemorySubgraphScenarios, type MemorySubgraphFixture } from '../test/memory-subgraph.scenarios';
import { createConsoleLogger } from './logger';
import { createMemorySubgraph, type MemorySubgraph } from './memory-subgraph';

/** The embedded default: PGlite (pgvector), the in-process session window, the in-process bus. */
let test: MemoryTestDatabase;
let bus: Bus;
let subgraph: MemorySubgraph;
let fast: SessionWindow;
let fixture: MemorySubgraphFixture;

beforeAll(async () => {
  test = await createMemoryTestDatabase();
  const inner = createInProcessBus();
  const appended: MemorySubgraphFixture['appended'] = [];
  bus = {
    ...inner,
    append: async (stream, payload) => {
      appended.push({ stream, payload });
      return inner.append(stream, payload);
    },
  };
  fast = createInProcessSessionWindow();
  const snapshot = createDatabaseSessionSnapshot(test.db);
  const sessions = createSnapshottedSessionWindow(fast, snapshot);
  const vectors = createPgvectorVectorMemory(test.db);
  const keys = await generateInternalKeyPair();
  subgraph = createMemorySubgraph({ bus, sessions, directory: snapshot, vectors, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, 'subgraph:memory'), logger: createConsoleLogger('memory-test') });
  const request = createGraphQLRequest(await listenOnLoopback(subgraph.server), createInternalTokenSigner(keys.privateKey), 'subgraph:memory');
  fixture = { db: test.db, request, sessions, fast, vectors, appended, bus };
});

afterAll(async () => {
  await subgraph?.close();
  await bus?.close();
  await fast?.close();
  await test?.drop();
});

runMemorySubgraphScenarios('PGlite + in-process window', () => fixture);
