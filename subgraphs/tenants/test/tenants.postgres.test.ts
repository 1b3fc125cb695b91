import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@switchyard/db/testing';
import type { TestDatabase } from '@switchyard/db/testing';
import { hashApiKeySecret } from '@switchyard/identity';
import { PLATFORM_ADMIN, errorCodes, principalOf, startTenantsHarness } from './harness';
import type { TenantsHarness } from './harness';

/** The same flows on real Postgres, where transactions truly run concurrently. */
let testDatabase: TestDatabase;
let harness: TenantsHarness;

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  harness = await startTenantsHarness(testDatabase.db);
});

afterAll(async () => {
  await harness?.close();
  await testDatabase?.drop();
});

const createTenant = 'mutation ($input: CreateTenantInput!) { createTenant(input: $input) { id slug } }';

describe('tenants subgraph on Postgres', () => {
  it('keeps one tenant_admin when every admin is demoted or removed at once', async () => {
    const tenant = (await harness.request(PLATFORM_ADMIN, createTenant, { input: { slug: 'pg-admins', name: 'Admins' } })).body.data as { createTenant: { id: string } };
    const addMember = 'mutation ($input: AddMemberInput!) { addMember(input: $input) { id } }';
    const ids: string[] = [];
    for (const subject of ['admin-1', 'admin-2', 'admin-3', 'admin-4']) {
      const reply = await harness.request(PLATFORM_ADMIN, addMember, { input: { tenantId: tenant.createTenant.id, subject, role: 'tenant_admin' } });
      ids.push((reply.body.data as { addMember: { id: string } }).addMember.id);
    }
    const replies = await Promise.all(
      ids.map((id, index) =>
        index % 2 === 0
          ? harness.request(PLATFORM_ADMIN, 'mutation ($id: ID!) { changeMemberRole(id: $id, role: viewer) { id } }', { id })
          : harness.request(PLATFORM_ADMIN, 'mutation ($id: ID!) { removeMember(id: $id) { id } }', { id }),
      ),
    );
    expect(replies.flatMap(errorCodes)).toEqual(['LAST_ADMIN']);
    const admins = await testDatabase.db.withTenant(tenant.createTenant.id, (tx) => tx.member.count({ where: { role: 'tenant_admin' } }));
    expect(admins).toBe(1);
  });

  it('creates one tenant out of many concurrent creates of the same slug', async () => {
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, index) => harness.request(PLATFORM_ADMIN, createTenant, { input: { slug: 'pg-race', name: `Race ${index}` } })),
    );
    expect(replies.filter((reply) => reply.body.errors === undefined)).toHaveLength(1);
    expect(replies.flatMap(errorCodes).filter((code) => code === 'CONFLICT')).toHaveLength(7);
    const count = await testDatabase.db.withPlatform((tx) => tx.tenant.count({ where: { slug: 'pg-race' } }));
    expect(count).toBe(1);
  });

  it('keeps tenant admins inside their tenant under row-level security', async () => {
    const a = (await harness.request(PLATFORM_ADMIN, createTenant, { input: { slug: 'pg-a', name: 'A' } })).body.data as { createTenant: { id: string } };
    const b = (await harness.request(PLATFORM_ADMIN, createTenant, { input: { slug: 'pg-b', name: 'B' } })).body.data as { createTenant: { id: string } };
    const adminA = principalOf(['tenant_admin'], a.createTenant.id, 'pg-admin-a');
    const createKey = 'mutation ($t: ID!) { createApiKey(input: { tenantId: $t, name: "k" }) { secret apiKey { id } } }';

    const own = await harness.request(adminA, createKey, { t: a.createTenant.id });
    const secret = (own.body.data as { createApiKey: { secret: string } }).createApiKey.secret;
    expect((await testDatabase.db.resolveApiKey(hashApiKeySecret(secret)))?.tenantId).toBe(a.createTenant.id);

    expect(errorCodes(await harness.request(adminA, createKey, { t: b.createTenant.id }))).toEqual(['FORBIDDEN']);
    const visible = await harness.request(adminA, '{ tenants { slug apiKeys { name } } }');
    expect(visible.body.data).toEqual({ tenants: [{ slug: 'pg-a', apiKeys: [{ name: 'k' }] }] });
  });
});
