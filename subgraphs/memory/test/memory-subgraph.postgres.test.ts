import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair } from '@switchyard/identity';
import { createRedisSessionWindow, type SessionWindow } from '@switchyard/memory/session';
import { createGraphQLRequest, listenOnLoopback } from '@switchyard/subgraph-kit/testing';
import type { VectorMemory } from '@switchyard/vector-memory';
import { createHnswVectorMemory } from '@switchyard/vector-memory/database';
import type { StartedSubgraph } from '@switchyard/subgraph-kit/runtime';
import { createConsoleLogger } from '../src/logger';
import { startMemorySubgraph } from '../src/start-memory-subgraph';
import { createSnapshottedSessionWindow } from '@switchyard/memory/session';
import { createDatabaseSessionSnapshot } from '@switchyard/memory/session/database';
import { runMemorySubgraphScenarios, type MemorySubgraphFixture } from './memory-subgraph.scenarios';

/**
 * Postgres deployments: the snapshot in Postgres, the data plane's fast store in the shared Redis
 * (a random key prefix), vector memory rows in Postgres with HNSW indexes per replica. The
 * subgraph is started as `npm start` and the standalone main start it (startMemorySubgraph); a
 * second vector memory stands for a data-plane replica whose index must drop what is deleted.
 */
const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `sy-test-memgql-${randomUUID()}:`;

let test: TestDatabase;
let bus: Bus;
let started: StartedSubgraph;
let fast: SessionWindow;
let peerVectors: VectorMemory;
let dataPlaneVectors: VectorMemory;
let fixture: MemorySubgraphFixture;

beforeAll(async () => {
  test = await createTestDatabase();
  const inner = createInProcessBus();
  const appended: MemorySubgraphFixture['appended'] = [];
  bus = {
    ...inner,
    append: async (stream, payload) => {
      appended.push({ stream, payload });
      return inner.append(stream, payload);
    },
  };
  // As the data plane opens it (redisKeyNames(prefix).memory is the prefix itself).
  fast = createRedisSessionWindow(redisUrl, { keyPrefix });
  const keys = await generateInternalKeyPair();
  const logger = createConsoleLogger('memory-test');
  started = await startMemorySubgraph({ db: test.db, bus, logger, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, 'subgraph:memory') }, { fastSessions: fast });
  const request = createGraphQLRequest(await listenOnLoopback(started.server), createInternalTokenSigner(keys.privateKey), 'subgraph:memory');
  // The data plane's side: what it writes through, and two replicas' vector memories.
  const sessions = createSnapshottedSessionWindow(fast, createDatabaseSessionSnapshot(test.db));
  dataPlaneVectors = await createHnswVectorMemory(test.db, { bus });
  peerVectors = await createHnswVectorMemory(test.db, { bus });
  fixture = { db: test.db, request, sessions, fast, vectors: dataPlaneVectors, peerVectors, appended, bus };
});

afterAll(async () => {
  await started?.close();
  await peerVectors?.close();
  await dataPlaneVectors?.close();
  await fast?.close();
  await bus?.close();
  await test?.drop();
  const redis = new Redis(redisUrl);
  const leftover = await redis.keys(`${keyPrefix}*`);
  if (leftover.length > 0) await redis.del(...leftover);
  await redis.quit();
});

runMemorySubgraphScenarios('Postgres + Redis window + HNSW replicas', () => fixture);
