import { createInProcessBus } from '@switchyard/bus';
import { seed, type Database } from '@switchyard/db';
import { createMemoryTestDatabase, createTestDatabase } from '@switchyard/db/testing';
import { generateApiKeySecret } from '@switchyard/identity';
import { createDatabaseApiKeyResolver } from '@switchyard/identity/api-keys';
import { createHnswVectorMemory, createPgvectorVectorMemory } from '@switchyard/vector-memory/database';
import { afterAll, describe, expect, it } from 'vitest';
import { MOCK_PROVIDER, startHarness } from '../test-support/data-plane-harness';

const PROVIDERS = [{ ...MOCK_PROVIDER, models: [...MOCK_PROVIDER.models, 'mock-embed-1'] }];
const ROUTES = [{ name: 'remember', candidates: [{ model: 'mock-gpt' }], strategy: { kind: 'priority' as const }, memory: { topMemories: { k: 2, collection: 'facts', embeddingModel: 'mock-embed-1' } } }];
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function keyFor(db: Database): Promise<{ secret: string; tenantId: string }> {
  const { demoTenantId: tenantId } = await seed(db);
  const { secret, prefix, hash } = generateApiKeySecret();
  await db.withTenant(tenantId, (tx) => tx.apiKey.create({ data: { tenantId, name: 'memories', prefix, hash, scopes: ['inference'] } }));
  return { secret, tenantId };
}

const post = (baseUrl: string, secret: string, path: string, body: unknown) =>
  fetch(`${baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('memories on the database', () => {
  it('embedded default: stored in PGlite, retrieved with pgvector into a chat request', async () => {
    const test = await createMemoryTestDatabase();
    cleanups.push(() => test.drop());
    const { secret } = await keyFor(test.db);
    const h = await startHarness({ providers: PROVIDERS, routes: ROUTES, apiKeys: createDatabaseApiKeyResolver(test.db), vectorMemory: createPgvectorVectorMemory(test.db) });
    cleanups.push(async () => void (await h.finish()));
    expect((await post(h.baseUrl, secret, '/memories', { collection: 'facts', text: 'The favourite colour is blue' })).status).toBe(201);
    const answer = await post(h.baseUrl, secret, '/chat/completions', { model: 'remember', messages: [{ role: 'user', content: 'favourite colour?' }] });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-switchyard-memories')).toBe('1');
  }, 120_000); // the first PGlite of a new migrations state builds its snapshot (tens of seconds on a busy machine)

  it('Postgres: a memory added through one replica is retrieved by another (rows in Postgres, HNSW per replica, kept current over the bus)', async () => {
    const test = await createTestDatabase();
    cleanups.push(() => test.drop());
    const { secret } = await keyFor(test.db);
    const bus = createInProcessBus();
    const replicas = await Promise.all(
      [0, 1].map(async () => {
        const vectorMemory = await createHnswVectorMemory(test.db, { bus });
        const h = await startHarness({ providers: PROVIDERS, routes: ROUTES, apiKeys: createDatabaseApiKeyResolver(test.db), vectorMemory, bus });
        cleanups.push(async () => {
          await h.finish();
          await vectorMemory.close();
        });
        return h;
      }),
    );
    const [a, b] = replicas as [(typeof replicas)[number], (typeof replicas)[number]];
    expect((await post(a.baseUrl, secret, '/memories', { collection: 'facts', text: 'Invoices are due on the first Monday' })).status).toBe(201);
    const first = await post(b.baseUrl, secret, '/chat/completions', { model: 'remember', messages: [{ role: 'user', content: 'when are invoices due?' }] });
    expect(first.headers.get('x-switchyard-memories')).toBe('1');
    // B has the collection loaded now; a second memory added through A must reach it over the bus.
    expect((await post(a.baseUrl, secret, '/memories', { collection: 'facts', text: 'Invoices are paid by bank transfer' })).status).toBe(201);
    await expect
      .poll(async () => (await post(b.baseUrl, secret, '/chat/completions', { model: 'remember', messages: [{ role: 'user', content: 'how are invoices paid?' }] })).headers.get('x-switchyard-memories'))
      .toBe('2');
  }, 120_000);
});
