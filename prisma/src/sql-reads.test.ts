import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database';
import { DatabaseError } from './database';
import { createMemoryTestDatabase, createTestDatabase } from './testing';

// The hand-written read path (readAsTenant / readAsPlatform) holds the same boundaries as
// withTenant / withPlatform, on both backends.
const backends: Array<[string, () => Promise<{ db: Database; drop(): Promise<void> }>]> = [
  ['pglite', createMemoryTestDatabase],
  ['postgres', createTestDatabase],
];

describe.each(backends)('hand-written reads on %s', (_name, open) => {
  let db: Database;
  let drop: () => Promise<void>;
  let tenantA: string;
  let tenantB: string;

  beforeAll(async () => {
    ({ db, drop } = await open());
    [tenantA, tenantB] = await db.withPlatform(async (tx) => {
      const a = await tx.tenant.create({ data: { slug: 'reads-a', name: 'A' } });
      const b = await tx.tenant.create({ data: { slug: 'reads-b', name: 'B' } });
      return [a.id, b.id];
    });
    for (const [tenantId, tag] of [
      [tenantA, 'a'],
      [tenantB, 'b'],
    ] as const) {
      await db.withTenant(tenantId, async (tx) => {
        await tx.member.create({ data: { tenantId, subject: `user-${tag}`, role: 'tenant_admin' } });
        await tx.apiKey.create({ data: { tenantId, name: `key-${tag}`, prefix: `sk-sy-${tag}`, hash: tag.repeat(64), scopes: ['chat', tag] } });
        await tx.costRollup.create({
          data: { tenantId, bucketStart: new Date('2026-01-01T00:00:00Z'), model: 'm', requests: 1, promptTokens: 10n, completionTokens: 20n, costMicros: 9_007_199_254_740_993n },
        });
      });
    }
  });

  afterAll(async () => {
    await drop();
  });

  it("a tenant read runs as switchyard_app in that tenant's scope and sees only its rows", async () => {
    const seen = await db.readAsTenant(tenantA, async (sql) => ({
      who: await sql.rows<{ user: string; tenant: string }>(`SELECT current_user AS "user", current_setting('app.tenant_id', true) AS tenant`),
      tenants: await sql.rows<{ id: string }>('SELECT id FROM tenants'),
      keys: await sql.rows<{ tenantId: string }>('SELECT tenant_id AS "tenantId" FROM api_keys'),
      // Filtering on the other tenant finds nothing: row-level security, not the query, confines it.
      othersRollups: await sql.rows<{ tenantId: string }>('SELECT tenant_id AS "tenantId" FROM cost_rollups WHERE tenant_id = $1::uuid', [tenantB]),
      members: await sql.rows<{ subject: string }>('SELECT subject FROM members'),
    }));
    expect(seen).toEqual({
      who: [{ user: 'switchyard_app', tenant: tenantA }],
      tenants: [{ id: tenantA }],
      keys: [{ tenantId: tenantA }],
      othersRollups: [],
      members: [{ subject: 'user-a' }],
    });
  });

  it('a tenant read is read only, and its scope ends with it', async () => {
    await expect(db.readAsTenant(tenantA, (sql) => sql.rows(`UPDATE api_keys SET name = 'changed' RETURNING id`))).rejects.toThrow(/read-only/);
    // The session that failed is usable again and holds no scope: the next reads see what they should.
    for (let i = 0; i < 3; i += 1) {
      const keys = await db.readAsTenant(tenantB, (sql) => sql.rows<{ name: string }>('SELECT name FROM api_keys'));
      expect(keys).toEqual([{ name: 'key-b' }]);
    }
    const names = await db.withPlatform((tx) => tx.apiKey.findMany({ select: { name: true }, orderBy: { name: 'asc' } }));
    expect(names.map((key) => key.name)).toEqual(['key-a', 'key-b']);
  });

  it('rejects a tenant id that is not a UUID before touching the database', async () => {
    await expect(db.readAsTenant("x'); SELECT 1; --", (sql) => sql.rows('SELECT 1'))).rejects.toSatisfy(
      (error) => error instanceof DatabaseError && error.code === 'INVALID_TENANT_ID',
    );
  });

  it('a platform read runs as switchyard_platform under the same row-level security', async () => {
    const seen = await db.readAsPlatform(async (sql) => ({
      who: await sql.rows<{ user: string; scope: string }>(`SELECT current_user AS "user", current_setting('app.scope', true) AS scope`),
      tenants: (await sql.rows<{ n: bigint }>('SELECT count(*) AS n FROM tenants'))[0]?.n,
      // No platform read policy on members; one on api_keys and cost_rollups.
      members: (await sql.rows<{ n: bigint }>('SELECT count(*) AS n FROM members'))[0]?.n,
      keys: (await sql.rows<{ n: bigint }>('SELECT count(*) AS n FROM api_keys'))[0]?.n,
    }));
    expect(seen).toEqual({ who: [{ user: 'switchyard_platform', scope: 'platform' }], tenants: 2n, members: 0n, keys: 2n });
  });

  it('parses values as Prisma did: int8 as bigint (exactly), timestamptz as Date, arrays as arrays', async () => {
    const [row] = await db.readAsTenant(tenantA, (sql) =>
      sql.rows<{ costMicros: bigint; bucketStart: Date; scopes: string[]; missing: Date | null }>(
        `SELECT r.cost_micros AS "costMicros", r.bucket_start AS "bucketStart", k.scopes, k.revoked_at AS missing
           FROM cost_rollups r JOIN api_keys k ON k.tenant_id = r.tenant_id`,
      ),
    );
    expect(row).toEqual({ costMicros: 9_007_199_254_740_993n, bucketStart: new Date('2026-01-01T00:00:00Z'), scopes: ['chat', 'a'], missing: null });
  });

  it('keeps concurrent reads and transactions of different tenants apart', async () => {
    const runs = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 3 === 2
          ? db.withTenant(i % 2 ? tenantA : tenantB, async (tx) => (await tx.apiKey.findMany({ select: { tenantId: true } })).map((key) => key.tenantId))
          : db.readAsTenant(i % 2 ? tenantA : tenantB, async (sql) => (await sql.rows<{ tenantId: string }>('SELECT tenant_id AS "tenantId" FROM api_keys')).map((key) => key.tenantId)),
      ),
    );
    runs.forEach((seen, i) => expect(seen).toEqual([i % 2 ? tenantA : tenantB]));
  });
});
