import { generateApiKeySecret } from '@switchyard/identity';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { seed } from '@switchyard/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../test-support/data-plane-harness';
import { createApiKeyLastUsedRecorder, createDatabaseApiKeyResolver } from '@switchyard/identity/api-keys';

/** lastUsedAt through the real @switchyard/db (in-memory PGlite): written once per window, after the requests, not during them. */
let testDb: MemoryTestDatabase;
let tenantId: string;
beforeAll(async () => {
  testDb = await createMemoryTestDatabase();
  tenantId = (await seed(testDb.db)).demoTenantId;
});
afterAll(async () => testDb?.drop());

describe('API key last use', () => {
  it('is recorded for keys that authenticate, in one coalesced write', async () => {
    const { db } = testDb;
    const { secret, prefix, hash } = generateApiKeySecret();
    const { id } = await db.withTenant(tenantId, (tx) => tx.apiKey.create({ data: { tenantId, name: 'used', prefix, hash, scopes: ['inference'] }, select: { id: true } }));
    const unused = generateApiKeySecret();
    const other = await db.withTenant(tenantId, (tx) =>
      tx.apiKey.create({ data: { tenantId, name: 'unused', prefix: unused.prefix, hash: unused.hash, scopes: ['inference'] }, select: { id: true } }),
    );
    let writes = 0;
    const recorder = createApiKeyLastUsedRecorder(
      {
        touchApiKeys: async (uses) => {
          writes += 1;
          return db.touchApiKeys(uses);
        },
      },
      { flushEveryMs: 0 },
    );
    const h = await startHarness({ apiKeys: createDatabaseApiKeyResolver(db), apiKeyLastUsed: recorder });
    const before = Date.now();
    for (let i = 0; i < 3; i += 1) {
      const response = await fetch(`${h.baseUrl}/models`, { headers: { authorization: `Bearer ${secret}` } });
      expect(response.status).toBe(200);
    }
    const lastUsed = async (keyId: string) => (await db.withTenant(tenantId, (tx) => tx.apiKey.findUniqueOrThrow({ where: { id: keyId } }))).lastUsedAt;
    // Nothing was written on the request path.
    expect(await lastUsed(id)).toBeNull();
    await h.finish();
    await recorder.close();
    expect(writes).toBe(1);
    expect((await lastUsed(id))?.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(await lastUsed(other.id)).toBeNull();
  });
});
