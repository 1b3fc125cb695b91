import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database';
import { DatabaseError } from './database';
import { seed } from './seed';
import { createMemoryTestDatabase, createTestDatabase } from './testing';

// One contract, run against both backends: the same migrations and RLS must hold on each.
const backends: Array<[string, () => Promise<{ db: Database; drop(): Promise<void> }>]> = [
  ['pglite', createMemoryTestDatabase],
  ['postgres', createTestDatabase],
];

const hashOf = (char: string) => char.repeat(64);

describe.each(backends)('Database on %s', (_name, open) => {
  let db: Database;
  let drop: () => Promise<void>;
  let tenantA: string;
  let tenantB: string;
  let keyA: string;

  beforeAll(async () => {
    ({ db, drop } = await open());
    [tenantA, tenantB] = await db.withPlatform(async (tx) => {
      const a = await tx.tenant.create({ data: { slug: 'tenant-a', name: 'A' } });
      const b = await tx.tenant.create({ data: { slug: 'tenant-b', name: 'B' } });
      return [a.id, b.id];
    });
    for (const [tenantId, tag] of [
      [tenantA, 'a'],
      [tenantB, 'b'],
    ] as const) {
      await db.withTenant(tenantId, async (tx) => {
        await tx.member.create({ data: { tenantId, subject: `user-${tag}`, role: 'tenant_admin' } });
        const key = await tx.apiKey.create({
          data: { tenantId, name: `key-${tag}`, prefix: `sk-sy-${tag}`, hash: hashOf(tag), scopes: ['chat', tag] },
        });
        if (tag === 'a') keyA = key.id;
        await tx.usageEvent.create({
          data: {
            requestId: `req-${tag}`,
            tenantId,
            apiKeyId: key.id,
            model: 'mock-gpt',
            provider: 'mock',
            promptTokens: 10,
            completionTokens: 20,
            priceBookVersion: 1,
            costMicros: 35n,
            latencyMs: 5,
            status: 'ok',
            createdAt: new Date('2026-01-01T00:00:30Z'),
          },
        });
        await tx.costRollup.create({
          data: {
            tenantId,
            bucketStart: new Date('2026-01-01T00:00:00Z'),
            model: 'mock-gpt',
            requests: 1,
            promptTokens: 10n,
            completionTokens: 20n,
            costMicros: 35n,
          },
        });
      });
    }
  });

  afterAll(async () => {
    await drop();
  });

  it('migrate again is a no-op', async () => {
    await db.migrate();
    await db.migrate();
    const rows = await db.withTenant(tenantA, (tx) => tx.member.count());
    expect(rows).toBe(1);
  });

  it('a tenant reads only its own rows in every tenant-scoped table', async () => {
    const seen = await db.withTenant(tenantA, async (tx) => ({
      members: await tx.member.findMany(),
      apiKeys: await tx.apiKey.findMany(),
      usage: await tx.usageEvent.findMany(),
      rollups: await tx.costRollup.findMany(),
      tenants: await tx.tenant.findMany(),
    }));
    expect(seen.members.map((row) => row.subject)).toEqual(['user-a']);
    expect(seen.apiKeys.map((row) => row.name)).toEqual(['key-a']);
    expect(seen.usage.map((row) => row.requestId)).toEqual(['req-a']);
    expect(seen.rollups.map((row) => row.tenantId)).toEqual([tenantA]);
    expect(seen.tenants.map((row) => row.id)).toEqual([tenantA]);
  });

  it("a tenant cannot find another tenant's rows even by key", async () => {
    const found = await db.withTenant(tenantB, async (tx) => ({
      member: await tx.member.findFirst({ where: { tenantId: tenantA } }),
      apiKey: await tx.apiKey.findUnique({ where: { id: keyA } }),
      usage: await tx.usageEvent.findUnique({ where: { requestId: 'req-a' } }),
      tenant: await tx.tenant.findUnique({ where: { id: tenantA } }),
    }));
    expect(found).toEqual({ member: null, apiKey: null, usage: null, tenant: null });
  });

  it("a tenant cannot update or delete another tenant's rows", async () => {
    const changed = await db.withTenant(tenantB, async (tx) => [
      (await tx.member.updateMany({ where: { tenantId: tenantA }, data: { email: 'evil@example.com' } })).count,
      (await tx.apiKey.updateMany({ where: { id: keyA }, data: { revokedAt: new Date() } })).count,
      (await tx.usageEvent.deleteMany({ where: { requestId: 'req-a' } })).count,
      (await tx.costRollup.deleteMany({ where: { tenantId: tenantA } })).count,
      (await tx.tenant.updateMany({ where: { id: tenantA }, data: { name: 'owned' } })).count,
    ]);
    expect(changed).toEqual([0, 0, 0, 0, 0]);
    const intact = await db.withTenant(tenantA, async (tx) => ({
      email: (await tx.member.findFirst())?.email,
      revokedAt: (await tx.apiKey.findFirst())?.revokedAt,
      usage: await tx.usageEvent.count(),
      rollups: await tx.costRollup.count(),
      name: (await tx.tenant.findFirst())?.name,
    }));
    expect(intact).toEqual({ email: null, revokedAt: null, usage: 1, rollups: 1, name: 'A' });
  });

  it('a tenant cannot write rows into another tenant', async () => {
    const attempts = [
      () => db.withTenant(tenantB, (tx) => tx.member.create({ data: { tenantId: tenantA, subject: 'intruder', role: 'viewer' } })),
      () => db.withTenant(tenantB, (tx) => tx.apiKey.create({ data: { tenantId: tenantA, name: 'x', prefix: 'x', hash: hashOf('c'), scopes: [] } })),
      () =>
        db.withTenant(tenantB, (tx) =>
          tx.usageEvent.create({
            data: {
              requestId: 'req-intruder',
              tenantId: tenantA,
              model: 'mock-gpt',
              provider: 'mock',
              promptTokens: 1,
              completionTokens: 1,
              priceBookVersion: 1,
              costMicros: 1n,
              latencyMs: 1,
              status: 'ok',
              createdAt: new Date(),
            },
          }),
        ),
      () =>
        db.withTenant(tenantB, (tx) =>
          tx.costRollup.create({
            data: { tenantId: tenantA, bucketStart: new Date(), model: 'mock-gpt', requests: 1, promptTokens: 1n, completionTokens: 1n, costMicros: 1n },
          }),
        ),
      () => db.withTenant(tenantB, (tx) => tx.member.updateMany({ where: { tenantId: tenantB }, data: { tenantId: tenantA } })),
      () => db.withTenant(tenantB, (tx) => tx.tenant.create({ data: { slug: 'sneaky', name: 'Sneaky' } })),
    ];
    for (const attempt of attempts) {
      await expect(attempt()).rejects.toThrow();
    }
    const counts = await db.withPlatform(async (tx) => ({ tenants: await tx.tenant.count() }));
    expect(counts.tenants).toBeGreaterThanOrEqual(2);
    expect(await db.withTenant(tenantA, (tx) => tx.member.count())).toBe(1);
    expect(await db.withTenant(tenantB, (tx) => tx.member.count())).toBe(1);
  });

  it('without a tenant nothing tenant-scoped is visible', async () => {
    const unknownTenant = await db.withTenant(randomUUID(), async (tx) => [
      await tx.member.count(),
      await tx.apiKey.count(),
      await tx.usageEvent.count(),
      await tx.costRollup.count(),
      await tx.tenant.count(),
    ]);
    expect(unknownTenant).toEqual([0, 0, 0, 0, 0]);
    // The platform scope sets no tenant: it sees tenants, not their members or usage. (It may read API
    // keys and cost rollups, never write them: a platform admin's batch; tenant-boundaries.postgres.test.ts.)
    const platform = await db.withPlatform(async (tx) => [await tx.member.count(), await tx.usageEvent.count()]);
    expect(platform).toEqual([0, 0]);
  });

  it('rejects a tenant id that is not a UUID before touching the database', async () => {
    for (const hostile of ['', ' ', "' OR true --", `${tenantA}' OR '1'='1`, 'x'.repeat(10_000)]) {
      await expect(db.withTenant(hostile, (tx) => tx.member.count())).rejects.toSatisfy(
        (error) => error instanceof DatabaseError && error.code === 'INVALID_TENANT_ID',
      );
    }
  });

  it('runs as switchyard_app with the tenant set only for the transaction', async () => {
    const inside = await db.withTenant(tenantA, (tx) =>
      tx.$queryRaw<Array<{ role: string; tenant: string }>>`SELECT current_user AS role, current_setting('app.tenant_id', true) AS tenant`,
    );
    expect(inside).toEqual([{ role: 'switchyard_app', tenant: tenantA }]);
    const platform = await db.withPlatform((tx) =>
      tx.$queryRaw<Array<{ tenant: string | null; scope: string }>>`SELECT NULLIF(current_setting('app.tenant_id', true), '') AS tenant, current_setting('app.scope', true) AS scope`,
    );
    expect(platform).toEqual([{ tenant: null, scope: 'platform' }]);
  });

  it('rolls the whole transaction back when the callback throws', async () => {
    await expect(
      db.withTenant(tenantA, async (tx) => {
        await tx.member.create({ data: { tenantId: tenantA, subject: 'doomed', role: 'viewer' } });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.withTenant(tenantA, (tx) => tx.member.count({ where: { subject: 'doomed' } }))).toBe(0);
  });

  it('keeps concurrent transactions of different tenants apart', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) => {
        const tenantId = index % 2 === 0 ? tenantA : tenantB;
        return db.withTenant(tenantId, async (tx) => (await tx.member.findMany()).map((row) => row.tenantId));
      }),
    );
    results.forEach((tenantIds, index) => expect(tenantIds).toEqual([index % 2 === 0 ? tenantA : tenantB]));
  });

  it('resolves API keys of any tenant by hash, and nothing else', async () => {
    await db.withTenant(tenantB, (tx) =>
      tx.apiKey.create({
        data: {
          tenantId: tenantB,
          name: 'old',
          prefix: 'sk-sy-old',
          hash: hashOf('d'),
          scopes: [],
          expiresAt: new Date('2026-02-01T00:00:00Z'),
          revokedAt: new Date('2026-01-15T00:00:00Z'),
        },
      }),
    );
    expect(await db.resolveApiKey(hashOf('a'))).toEqual({ id: keyA, tenantId: tenantA, scopes: ['chat', 'a'], expiresAt: null, revokedAt: null });
    expect(await db.resolveApiKey(hashOf('b'))).toMatchObject({ tenantId: tenantB, scopes: ['chat', 'b'] });
    expect(await db.resolveApiKey(hashOf('d'))).toMatchObject({
      tenantId: tenantB,
      scopes: [],
      expiresAt: new Date('2026-02-01T00:00:00Z'),
      revokedAt: new Date('2026-01-15T00:00:00Z'),
    });
    expect(await db.resolveApiKey(hashOf('e'))).toBeNull();
    for (const malformed of ['', 'A'.repeat(64), "' OR true --", hashOf('a').slice(1), `${hashOf('a')}x`]) {
      expect(await db.resolveApiKey(malformed)).toBeNull();
    }
  });

  it('looks many API keys up in one call: found keys by hash, unknown and malformed ones absent', async () => {
    const found = await db.resolveApiKeys([hashOf('a'), hashOf('b'), hashOf('d'), hashOf('e'), hashOf('a'), "' OR true --", 'A'.repeat(64)]);
    expect([...found.keys()].sort()).toEqual([hashOf('a'), hashOf('b'), hashOf('d')].sort());
    expect(found.get(hashOf('a'))).toEqual(await db.resolveApiKey(hashOf('a')));
    expect(found.get(hashOf('d'))).toMatchObject({ tenantId: tenantB, revokedAt: new Date('2026-01-15T00:00:00Z') });
    expect((await db.resolveApiKeys([])).size).toBe(0);
  });

  it('seeds idempotently: price book v1 and the demo tenant', async () => {
    await expect(db.latestPriceBook()).rejects.toSatisfy((error) => error instanceof DatabaseError && error.code === 'PRICE_BOOK_MISSING');
    const [first, second] = [await seed(db), await seed(db)];
    expect(second).toEqual(first);
    const concurrent = await Promise.all([seed(db), seed(db)]);
    expect(concurrent).toEqual([first, first]);
    expect(await db.latestPriceBook()).toEqual({
      version: 1,
      prices: [
        { model: 'mock-embed-1', inputPer1kMicros: 20n, outputPer1kMicros: 0n },
        { model: 'mock-gpt', inputPer1kMicros: 500n, outputPer1kMicros: 1500n },
        { model: 'mock-judge', inputPer1kMicros: 100n, outputPer1kMicros: 100n },
        { model: 'mock-large', inputPer1kMicros: 3000n, outputPer1kMicros: 15000n },
        { model: 'mock-mini', inputPer1kMicros: 150n, outputPer1kMicros: 600n },
      ],
    });
    const demo = await db.withPlatform((tx) => tx.tenant.findMany({ where: { slug: 'demo' } }));
    expect(demo.map((row) => [row.id, row.name])).toEqual([[first.demoTenantId, 'Demo']]);
  });

  it('lets only the platform scope write the price book', async () => {
    await expect(db.withTenant(tenantA, (tx) => tx.priceBookVersion.create({ data: { version: 99 } }))).rejects.toThrow();
    expect(await db.withTenant(tenantA, (tx) => tx.modelPrice.count())).toBeGreaterThan(0);
  });

  it('cannot change the schema or switch row-level security off from a tenant transaction', async () => {
    for (const ddl of ['ALTER TABLE "members" DISABLE ROW LEVEL SECURITY', 'DROP POLICY "members_tenant_isolation" ON "members"', 'DROP TABLE "usage_events"']) {
      await expect(db.withTenant(tenantB, (tx) => tx.$executeRawUnsafe(ddl))).rejects.toThrow();
    }
    expect(await db.withTenant(tenantB, (tx) => tx.member.count({ where: { tenantId: tenantA } }))).toBe(0);
  });

  it('deleting a tenant in the platform scope cascades to its members and keys', async () => {
    const doomed = await db.withPlatform((tx) => tx.tenant.create({ data: { slug: 'doomed', name: 'Doomed' } }));
    await db.withTenant(doomed.id, async (tx) => {
      await tx.member.create({ data: { tenantId: doomed.id, subject: 'gone', role: 'viewer' } });
      await tx.apiKey.create({ data: { tenantId: doomed.id, name: 'gone', prefix: 'sk-sy-gone', hash: hashOf('f'), scopes: [] } });
    });
    await db.withPlatform((tx) => tx.tenant.delete({ where: { id: doomed.id } }));
    expect(await db.withTenant(doomed.id, async (tx) => [await tx.member.count(), await tx.apiKey.count()])).toEqual([0, 0]);
    expect(await db.resolveApiKey(hashOf('f'))).toBeNull();
  });

  // Last: closes the shared database (drop() in afterAll tolerates that).
  it('refuses use after close', async () => {
    await db.close();
    await db.close();
    await expect(db.withTenant(tenantA, (tx) => tx.member.count())).rejects.toSatisfy(
      (error) => error instanceof DatabaseError && error.code === 'DATABASE_CLOSED',
    );
    await expect(db.resolveApiKey(hashOf('a'))).rejects.toSatisfy((error) => error instanceof DatabaseError && error.code === 'DATABASE_CLOSED');
  });
});
