import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryTestDatabase, createTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { createDatabaseActivePolicySource } from './active-policy-source';
import { createDatabaseDecisionLogWriter, type LoggedDecision } from './decision-log';
import { useModelRequest } from './use-model-request';

let testDatabase: MemoryTestDatabase;
let tenantA: string;
let tenantB: string;

beforeAll(async () => {
  testDatabase = await createMemoryTestDatabase();
  const create = (slug: string) => testDatabase.db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }));
  tenantA = (await create('pdp-log-a')).id;
  tenantB = (await create('pdp-log-b')).id;
});

afterAll(async () => {
  await testDatabase?.drop();
});

const entry = (tenantId: string, model: string): LoggedDecision => ({
  tenantId,
  request: useModelRequest({ apiKeyId: 'k', tenantId, scopes: [], model, route: model, headers: {}, now: new Date() }),
  decision: 'allow',
  determiningPolicies: ['default-allow-all'],
});

describe('database decision log and active policy source', () => {
  it('keeps only the newest N decisions per tenant, each tenant under its own row-level security', async () => {
    const writer = createDatabaseDecisionLogWriter(testDatabase.db, 3);
    await writer.write([entry(tenantA, 'm1'), entry(tenantA, 'm2'), entry(tenantB, 'b1')]);
    await writer.write([entry(tenantA, 'm3'), entry(tenantA, 'm4'), entry(tenantA, 'm5')]);
    const rows = await testDatabase.db.withTenant(tenantA, (tx) => tx.policyDecisionLog.findMany({ orderBy: { id: 'asc' } }));
    expect(rows.map((row) => (row.request as { resource: { id: string } }).resource.id)).toEqual(['m3', 'm4', 'm5']);
    expect(rows.every((row) => row.tenantId === tenantA)).toBe(true);
    expect(rows[0]).toMatchObject({ decision: 'allow', determiningPolicies: ['default-allow-all'] });
    expect(rows[0]!.request).toEqual(JSON.parse(JSON.stringify(entry(tenantA, 'm3').request)));
    expect(await testDatabase.db.withTenant(tenantB, (tx) => tx.policyDecisionLog.count())).toBe(1);
  });

  it('writes a batch in order, with every field: a deny with no determining policy, quotes and unicode in the request', async () => {
    const tenant = (await testDatabase.db.withPlatform((tx) => tx.tenant.create({ data: { slug: 'pdp-log-c', name: 'c' }, select: { id: true } }))).id;
    const writer = createDatabaseDecisionLogWriter(testDatabase.db, 1000);
    const odd = entry(tenant, 'mo"del\\ é 😀');
    await writer.write([{ ...odd, decision: 'deny', determiningPolicies: [] }, ...Array.from({ length: 150 }, (_, i) => entry(tenant, `n${i}`))]);
    const rows = await testDatabase.db.withTenant(tenant, (tx) => tx.policyDecisionLog.findMany({ orderBy: { id: 'asc' } }));
    expect(rows).toHaveLength(151);
    expect(rows[0]).toMatchObject({ tenantId: tenant, decision: 'deny', determiningPolicies: [] });
    expect(rows[0]!.request).toEqual(JSON.parse(JSON.stringify(odd.request)));
    expect(rows.slice(1).map((row) => (row.request as { resource: { id: string } }).resource.id)).toEqual(Array.from({ length: 150 }, (_, i) => `n${i}`));
  });

  it('reads the active version, or null without one', async () => {
    const source = createDatabaseActivePolicySource(testDatabase.db);
    expect(await source.activePolicy(tenantA)).toBeNull();
    await testDatabase.db.withTenant(tenantA, (tx) =>
      tx.policyVersion.createMany({
        data: [
          { tenantId: tenantA, version: 1, text: 'permit (principal, action, resource);', status: 'superseded', proposedBy: 'a' },
          { tenantId: tenantA, version: 2, text: 'forbid (principal, action, resource);', status: 'active', proposedBy: 'a', approvedBy: 'b' },
        ],
      }),
    );
    expect(await source.activePolicy(tenantA)).toEqual({ version: 2, text: 'forbid (principal, action, resource);' });
    expect(await source.activePolicy(tenantB)).toBeNull();
    // The start-up preload: every tenant's active version (each read under its own tenant), none for B.
    expect((await source.activePolicies?.())?.filter((entry) => entry.tenantId === tenantA || entry.tenantId === tenantB)).toEqual([{ tenantId: tenantA, version: 2, text: 'forbid (principal, action, resource);' }]);
    // The partial unique index: never two active versions for one tenant.
    await expect(
      testDatabase.db.withTenant(tenantA, (tx) => tx.policyVersion.create({ data: { tenantId: tenantA, version: 3, text: 'x', status: 'active', proposedBy: 'a' } })),
    ).rejects.toThrow();
  });
});

describe('the decision log writer on Postgres (its raw SQL, as the tenant role under row-level security)', () => {
  it('appends in order and prunes to the newest N per tenant', async () => {
    const postgres = await createTestDatabase();
    try {
      const tenant = (await postgres.db.withPlatform((tx) => tx.tenant.create({ data: { slug: 'pdp-log-pg', name: 'pg' }, select: { id: true } }))).id;
      const writer = createDatabaseDecisionLogWriter(postgres.db, 3);
      await writer.write([entry(tenant, 'p1'), { ...entry(tenant, 'p"2 é'), decision: 'deny', determiningPolicies: [] }]);
      await writer.write([entry(tenant, 'p3'), entry(tenant, 'p4')]);
      const rows = await postgres.db.withTenant(tenant, (tx) => tx.policyDecisionLog.findMany({ orderBy: { id: 'asc' } }));
      expect(rows.map((row) => (row.request as { resource: { id: string } }).resource.id)).toEqual(['p"2 é', 'p3', 'p4']);
      expect(rows[0]).toMatchObject({ decision: 'deny', determiningPolicies: [] });
      expect(rows[1]).toMatchObject({ decision: 'allow', determiningPolicies: ['default-allow-all'] });
    } finally {
      await postgres.drop();
    }
  });
});
