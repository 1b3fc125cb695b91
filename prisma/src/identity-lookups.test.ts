import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database';
import { createMemoryTestDatabase, createTestDatabase } from './testing';

// Membership lookup (sign-in → tenants) and batched last-use writes, on both backends.
const backends: Array<[string, () => Promise<{ db: Database; drop(): Promise<void> }>]> = [
  ['pglite', createMemoryTestDatabase],
  ['postgres', createTestDatabase],
];

describe.each(backends)('identity lookups on %s', (_name, open) => {
  let db: Database;
  let drop: () => Promise<void>;
  let tenantA: string;
  let tenantB: string;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    ({ db, drop } = await open());
    [tenantA, tenantB] = await db.withPlatform(async (tx) => {
      const a = await tx.tenant.create({ data: { slug: 'lookup-a', name: 'A' } });
      const b = await tx.tenant.create({ data: { slug: 'lookup-b', name: 'B' } });
      return [a.id, b.id];
    });
    keyA = await db.withTenant(tenantA, async (tx) => {
      await tx.member.create({ data: { tenantId: tenantA, subject: 'alice', email: 'Alice@Example.test', role: 'tenant_admin', createdAt: new Date('2026-01-01T00:00:00Z') } });
      await tx.member.create({ data: { tenantId: tenantA, subject: 'placeholder-bob', email: 'bob@example.test', role: 'viewer' } });
      return (await tx.apiKey.create({ data: { tenantId: tenantA, name: 'a', prefix: 'sk-sy-a', hash: 'a'.repeat(64), scopes: [] } })).id;
    });
    keyB = await db.withTenant(tenantB, async (tx) => {
      await tx.member.create({ data: { tenantId: tenantB, subject: 'alice', role: 'viewer', createdAt: new Date('2026-02-01T00:00:00Z') } });
      await tx.member.create({ data: { tenantId: tenantB, subject: 'someone', email: 'alice@example.test', role: 'operator' } });
      return (await tx.apiKey.create({ data: { tenantId: tenantB, name: 'b', prefix: 'sk-sy-b', hash: 'b'.repeat(64), scopes: [] } })).id;
    });
  });
  afterAll(async () => drop());

  it('finds every tenant of a subject, oldest first, a subject match beating an email match in the same tenant', async () => {
    expect(await db.resolveMemberships('alice', 'alice@example.test')).toEqual([
      { tenantId: tenantA, role: 'tenant_admin', since: new Date('2026-01-01T00:00:00Z') },
      { tenantId: tenantB, role: 'viewer', since: new Date('2026-02-01T00:00:00Z') },
    ]);
  });

  it('matches by email case-insensitively when the subject is unknown', async () => {
    expect(await db.resolveMemberships('bob-at-the-idp', 'BOB@example.test')).toMatchObject([{ tenantId: tenantA, role: 'viewer' }]);
    expect(await db.resolveMemberships('bob-at-the-idp', null)).toEqual([]);
  });

  it('finds nothing for strangers and hostile input', async () => {
    expect(await db.resolveMemberships('nobody', 'nobody@example.test')).toEqual([]);
    expect(await db.resolveMemberships("' OR true --", "' OR true --")).toEqual([]);
    expect(await db.resolveMemberships('', '')).toEqual([]);
    expect(await db.resolveMemberships('x'.repeat(10_000), null)).toEqual([]);
  });

  it('records last use in one batch, only moving forward, ignoring unknown and malformed ids', async () => {
    const t1 = new Date('2026-03-01T00:00:00Z');
    const t2 = new Date('2026-03-01T00:01:00Z');
    expect(await db.touchApiKeys([])).toBe(0);
    expect(await db.touchApiKeys([{ id: keyA, usedAt: t2 }, { id: keyB, usedAt: t1 }, { id: '00000000-0000-4000-8000-000000000000', usedAt: t1 }, { id: 'not-a-uuid', usedAt: t1 }])).toBe(2);
    // An older batch (another replica, a retry) does not move either key back.
    expect(await db.touchApiKeys([{ id: keyA, usedAt: t1 }, { id: keyA, usedAt: t1 }])).toBe(0);
    const lastUsed = async (tenantId: string, id: string) => (await db.withTenant(tenantId, (tx) => tx.apiKey.findUniqueOrThrow({ where: { id } }))).lastUsedAt;
    expect(await lastUsed(tenantA, keyA)).toEqual(t2);
    expect(await lastUsed(tenantB, keyB)).toEqual(t1);
  });
});
