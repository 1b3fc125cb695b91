import { generateApiKeySecret } from '@switchyard/identity';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { seed, type Database } from '@switchyard/db';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabasePriceBookSource } from './accounting/price-book';
import { createDatabaseApiKeyResolver } from '@switchyard/identity/api-keys';
import { startHarness } from './test-support/data-plane-harness';

/** The data plane against the real @switchyard/db (in-memory PGlite, migrated and seeded). */
let testDb: MemoryTestDatabase;
let db: Database;
let tenantId: string;

beforeAll(async () => {
  testDb = await createMemoryTestDatabase();
  db = testDb.db;
  tenantId = (await seed(db)).demoTenantId;
});
afterAll(async () => {
  await testDb?.drop();
});

async function createKey(overrides: { revokedAt?: Date } = {}): Promise<{ secret: string; hash: string; id: string }> {
  const { secret, prefix, hash } = generateApiKeySecret();
  const { id } = await db.withTenant(tenantId, (tx) =>
    tx.apiKey.create({ data: { tenantId, name: 'test', prefix, hash, scopes: ['inference'], ...overrides }, select: { id: true } }),
  );
  return { secret, hash, id };
}

describe('data plane with @switchyard/db', () => {
  it('authenticates database keys, prices with the seeded price book, and refuses revoked keys', async () => {
    const key = await createKey();
    const revoked = await createKey({ revokedAt: new Date(Date.now() - 60_000) });
    const h = await startHarness({ apiKeys: createDatabaseApiKeyResolver(db), priceBook: createDatabasePriceBookSource(db) });

    const client = new OpenAI({ apiKey: key.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hello db' }] });

    const revokedResponse = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${revoked.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(revokedResponse.status).toBe(401);
    expect(((await revokedResponse.json()) as { error: { code: string } }).error.code).toBe('api_key_revoked');

    const events = await h.finish();
    expect(events).toHaveLength(1);
    const usage = completion.usage!;
    // Seeded price book v1: mock-gpt 500 in / 1500 out micro-USD per 1k tokens.
    const expected = (BigInt(usage.prompt_tokens) * 500n + BigInt(usage.completion_tokens) * 1500n + 999n) / 1000n;
    expect(events[0]).toMatchObject({ tenantId, apiKeyId: key.id, priceBookVersion: 1, costMicros: expected.toString() });
  });
});
