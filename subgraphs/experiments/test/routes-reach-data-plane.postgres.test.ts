import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeDataPlane, databaseStores, openSharedState, type ComposedDataPlane } from '@switchyard/data-plane/composition';
import { loadDataPlaneConfig } from '@switchyard/data-plane/config';
import { createRedisBus, type Bus } from '@switchyard/bus';
import { createDatabase, seed, type Database } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { generateApiKeySecret } from '@switchyard/identity';
import { createLocalKms, generateMasterKey } from '@switchyard/identity/envelope';
import { CREATE, DELETE, ONE, UPDATE, definition, errorCodes, principalOf, startExperimentsHarness, type ExperimentsHarness, type RouteReply } from './harness';

/**
 * Real Postgres and real Redis: a route written through the subgraph reaches data planes that
 * share nothing with it but the database and the bus (own connections, own Redis clients).
 */
const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `sy-test-routes-${randomUUID()}:`;
/** Configured as a data plane is: one platform route `auto`, the mock provider. */
const DATA_PLANE_CONFIG = loadDataPlaneConfig({ DATA_PLANE_ROUTES: JSON.stringify([{ name: 'auto', candidates: [{ model: 'mock-gpt' }], strategy: { kind: 'priority' } }]) });
const kms = createLocalKms({ masterKeys: { main: generateMasterKey() }, activeKeyId: 'main' });

interface Replica {
  url: string;
  db: Database;
  bus: Bus;
  app: ComposedDataPlane;
  close(): Promise<void>;
}

let testDatabase: TestDatabase;
let subgraphBus: Bus;
let harness: ExperimentsHarness;
let replicas: Replica[] = [];

/** A data plane composed as every deployable composes it: its own pool and Redis clients, every route loaded before it listens. */
async function startReplica(databaseUrl: string): Promise<Replica> {
  const db = await createDatabase({ url: databaseUrl });
  const sharedState = openSharedState({ redisUrl, redisKeyPrefix: keyPrefix });
  const { bus } = sharedState;
  const app = await composeDataPlane(DATA_PLANE_CONFIG, {
    // No periodic resync: a route must arrive through routes.changed, not a reload that would hide a lost event.
    stores: databaseStores(db, { kms, routeResyncIntervalMs: 0 }),
    bus,
    rateLimiter: sharedState.rateLimiter,
    feedbackLog: sharedState.feedbackLog,
  });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`,
    db,
    bus,
    app,
    async close() {
      await app.close();
      await sharedState.close();
      await db.close();
    },
  };
}

async function tenantWithKey(slug: string): Promise<{ tenantId: string; secret: string }> {
  const db = testDatabase.db;
  const tenantId = (await db.withPlatform((tx) => tx.tenant.create({ data: { slug: `${slug}-${randomUUID().slice(0, 8)}`, name: slug }, select: { id: true } }))).id;
  const { secret, prefix, hash } = generateApiKeySecret();
  await db.withTenant(tenantId, (tx) => tx.apiKey.create({ data: { tenantId, name: 'test', prefix, hash, scopes: ['inference'] } }));
  return { tenantId, secret };
}

async function servedBy(replica: Replica, secret: string, model: string): Promise<string> {
  const response = await fetch(`${replica.url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = (await response.json()) as { model?: string; error?: { code: string } };
  return response.status === 200 ? body.model! : `${response.status} ${body.error?.code}`;
}

async function listed(replica: Replica, secret: string): Promise<string[]> {
  const response = await fetch(`${replica.url}/models`, { headers: { authorization: `Bearer ${secret}` } });
  return ((await response.json()) as { data: { id: string }[] }).data.map((m) => m.id);
}

/** Polls until every replica answers `expected` (deadline, not a sleep); returns how long it took. */
async function untilEveryReplica(check: (replica: Replica) => Promise<string>, expected: string, deadlineMs = 5_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const answers = await Promise.all(replicas.map(check));
    if (answers.every((answer) => answer === expected)) return Date.now() - started;
    if (Date.now() - started > deadlineMs) throw new Error(`replicas answered ${answers.join(', ')}, expected ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  await seed(testDatabase.db);
  subgraphBus = createRedisBus(redisUrl, { keyPrefix });
  harness = await startExperimentsHarness(testDatabase.db, { bus: subgraphBus });
  replicas = [await startReplica(testDatabase.url), await startReplica(testDatabase.url)];
});

afterAll(async () => {
  for (const replica of replicas) await replica.close();
  await harness?.close();
  await subgraphBus?.close();
  await testDatabase?.drop();
});

describe('routes from the experiments subgraph reach every data plane through Redis', () => {
  it('creates, shadows, updates and deletes routes; every replica follows, for the owning tenant only', async () => {
    const a = await tenantWithKey('dp-a');
    const b = await tenantWithKey('dp-b');
    const admin = principalOf(['tenant_admin'], a.tenantId, 'admin-a');
    const propagation: number[] = [];

    const created = await harness.request(admin, CREATE, { input: { tenantId: a.tenantId, name: 'smart', definition: definition(['mock-mini']) } });
    expect(created.body.errors).toBeUndefined();
    propagation.push(await untilEveryReplica((replica) => servedBy(replica, a.secret, 'smart'), 'mock-mini'));
    for (const replica of replicas) {
      expect(await listed(replica, a.secret)).toEqual(['smart', 'auto', 'mock-gpt', 'mock-large', 'mock-mini', 'mock-judge']);
      expect(await listed(replica, b.secret)).toEqual(['auto', 'mock-gpt', 'mock-large', 'mock-mini', 'mock-judge']);
      expect(await servedBy(replica, b.secret, 'smart')).toBe('404 model_not_found');
    }

    // A tenant route named like the platform's `auto` shadows it for that tenant alone.
    await harness.request(admin, CREATE, { input: { tenantId: a.tenantId, name: 'auto', definition: definition(['mock-large']) } });
    propagation.push(await untilEveryReplica((replica) => servedBy(replica, a.secret, 'auto'), 'mock-large'));
    for (const replica of replicas) expect(await servedBy(replica, b.secret, 'auto')).toBe('mock-gpt');

    await harness.request(admin, UPDATE, { input: { tenantId: a.tenantId, name: 'smart', expectedVersion: 1, definition: definition(['mock-gpt']) } });
    propagation.push(await untilEveryReplica((replica) => servedBy(replica, a.secret, 'smart'), 'mock-gpt'));

    await harness.request(admin, DELETE, { input: { tenantId: a.tenantId, name: 'auto', expectedVersion: 1 } });
    propagation.push(await untilEveryReplica((replica) => servedBy(replica, a.secret, 'auto'), 'mock-gpt'));
    await harness.request(admin, DELETE, { input: { tenantId: a.tenantId, name: 'smart', expectedVersion: 2 } });
    propagation.push(await untilEveryReplica((replica) => servedBy(replica, a.secret, 'smart'), '404 model_not_found'));

    // Reported, not asserted (tests check behaviour, benchmarks speed): change → every replica serving it.
    console.info(`route change propagation to 2 replicas (ms, incl. polling): ${propagation.join(', ')}`);
  });

  it('a replica started after the changes loads them before it serves', async () => {
    const a = await tenantWithKey('dp-late');
    const admin = principalOf(['tenant_admin'], a.tenantId, 'admin-late');
    await harness.request(admin, CREATE, { input: { tenantId: a.tenantId, name: 'early', definition: definition(['mock-mini']) } });
    const late = await startReplica(testDatabase.url);
    try {
      expect(await servedBy(late, a.secret, 'early')).toBe('mock-mini');
    } finally {
      await late.close();
    }
  });

  it('of concurrent updates from one version exactly one commits (Postgres row locks)', async () => {
    const a = await tenantWithKey('dp-race');
    const admin = principalOf(['tenant_admin'], a.tenantId, 'admin-race');
    await harness.request(admin, CREATE, { input: { tenantId: a.tenantId, name: 'raced', definition: definition(['mock-gpt']) } });
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        harness.request(admin, UPDATE, { input: { tenantId: a.tenantId, name: 'raced', expectedVersion: 1, definition: definition(['mock-gpt'], { retries: { max: i % 5 } }) } }),
      ),
    );
    expect(replies.filter((reply) => reply.body.errors === undefined)).toHaveLength(1);
    expect(replies.flatMap(errorCodes).filter((code) => code === 'VERSION_CONFLICT')).toHaveLength(7);
    const stored = (await harness.request(admin, ONE, { tenantId: a.tenantId, name: 'raced' })).body.data as { route: RouteReply };
    expect(stored.route.version).toBe(2);

    const creates = await Promise.all(
      Array.from({ length: 6 }, () => harness.request(admin, CREATE, { input: { tenantId: a.tenantId, name: 'twin', definition: definition(['mock-mini']) } })),
    );
    expect(creates.filter((reply) => reply.body.errors === undefined)).toHaveLength(1);
    expect(creates.flatMap(errorCodes).filter((code) => code === 'CONFLICT')).toHaveLength(5);
  });
});
