import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { createTenantsService } from '../src/tenants-service';
import type { Tenant } from '../src/tenant-types';
import { PLATFORM_ADMIN, errorCodes, principalOf, startTenantsHarness, type TenantsHarness } from './harness';

/**
 * Region B's tenants subgraph (SWITCHYARD_REGION=region-b): a tenant homed in region A has its keys
 * and settings written in A only (DESIGN.md §10); B refuses with TENANT_HOMED_ELSEWHERE and still
 * answers reads. A one-region subgraph (no region) refuses nothing.
 */
let testDatabase: MemoryTestDatabase;
let regionB: TenantsHarness;
let oneRegion: TenantsHarness;
let homedInA: Tenant;
let homedInB: Tenant;
let unplaced: Tenant;
let keyOfA: string;

const CREATE_KEY = 'mutation ($t: ID!) { createApiKey(input: { tenantId: $t, name: "ci" }) { apiKey { id } secret } }';
const REVOKE_KEY = 'mutation ($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }';
const UPDATE = 'mutation ($input: UpdateTenantSettingsInput!) { updateTenantSettings(input: $input) { homeRegion quotas { requestsPerMinute } } }';
const READ = 'query ($slug: String!) { tenant(slug: $slug) { id settings { homeRegion } apiKeys { id revokedAt } } }';

const adminOf = (tenant: Tenant) => principalOf(['tenant_admin'], tenant.id, `admin-${tenant.slug}`);

async function setHome(tenant: Tenant, home: string | null): Promise<void> {
  // As replication leaves it: the row says where the tenant lives.
  await testDatabase.db.withPlatform((tx) => tx.tenant.update({ where: { id: tenant.id }, data: { homeRegion: home } }));
}

async function keysOf(tenant: Tenant): Promise<{ id: string; revokedAt: string | null }[]> {
  const reply = await regionB.request(PLATFORM_ADMIN, READ, { slug: tenant.slug });
  expect(reply.body.errors).toBeUndefined();
  return (reply.body.data?.['tenant'] as { apiKeys: { id: string; revokedAt: string | null }[] }).apiKeys;
}

beforeAll(async () => {
  testDatabase = await createMemoryTestDatabase();
  regionB = await startTenantsHarness(testDatabase.db, { region: 'region-b' });
  oneRegion = await startTenantsHarness(testDatabase.db);
  const service = createTenantsService({ db: testDatabase.db, bus: regionB.bus });
  homedInA = await service.createTenant({ slug: 'homed-a', name: 'Homed in A' }, PLATFORM_ADMIN);
  homedInB = await service.createTenant({ slug: 'homed-b', name: 'Homed in B' }, PLATFORM_ADMIN);
  unplaced = await service.createTenant({ slug: 'unplaced', name: 'Unplaced' }, PLATFORM_ADMIN);
  keyOfA = (await service.createApiKey({ tenantId: homedInA.id, name: 'before placement' }, PLATFORM_ADMIN)).apiKey.id;
  await setHome(homedInA, 'region-a');
  await setHome(homedInB, 'region-b');
});

afterAll(async () => {
  await regionB.close();
  await oneRegion.close();
  await testDatabase.drop();
});

describe('a tenant homed in another region', () => {
  it('refuses a new API key, naming the home region, and creates nothing', async () => {
    const reply = await regionB.request(adminOf(homedInA), CREATE_KEY, { t: homedInA.id });
    expect(errorCodes(reply)).toEqual(['TENANT_HOMED_ELSEWHERE']);
    const error = reply.body.errors?.[0];
    expect(error?.extensions).toMatchObject({ homeRegion: 'region-a', region: 'region-b' });
    expect(error?.message).toContain('region region-a');
    expect(reply.body.data?.['createApiKey'] ?? null).toBeNull();
    expect((await keysOf(homedInA)).map((key) => key.id)).toEqual([keyOfA]);
  });

  it('refuses a revocation, also from a platform admin, and the key stays valid', async () => {
    for (const caller of [adminOf(homedInA), PLATFORM_ADMIN]) {
      const reply = await regionB.request(caller, REVOKE_KEY, { id: keyOfA });
      expect(errorCodes(reply)).toEqual(['TENANT_HOMED_ELSEWHERE']);
    }
    expect(await keysOf(homedInA)).toEqual([{ id: keyOfA, revokedAt: null }]);
  });

  it('refuses settings changes, and a move made outside the home (the home would never accept it)', async () => {
    const quota = await regionB.request(adminOf(homedInA), UPDATE, { input: { tenantId: homedInA.id, quotas: { requestsPerMinute: 5 } } });
    expect(errorCodes(quota)).toEqual(['TENANT_HOMED_ELSEWHERE']);
    const move = await regionB.request(PLATFORM_ADMIN, UPDATE, { input: { tenantId: homedInA.id, homeRegion: 'region-b' } });
    expect(errorCodes(move)).toEqual(['TENANT_HOMED_ELSEWHERE']);
    const read = await regionB.request(adminOf(homedInA), READ, { slug: homedInA.slug });
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data?.['tenant']).toMatchObject({ settings: { homeRegion: 'region-a' } });
  });

  it('tells a stranger FORBIDDEN, not where the tenant lives', async () => {
    const keyReply = await regionB.request(adminOf(homedInB), CREATE_KEY, { t: homedInA.id });
    expect(errorCodes(keyReply)).toEqual(['FORBIDDEN']);
    const revokeReply = await regionB.request(adminOf(homedInB), REVOKE_KEY, { id: keyOfA });
    expect(errorCodes(revokeReply)).toEqual(['NOT_FOUND']);
    const settingsReply = await regionB.request(adminOf(homedInB), UPDATE, { input: { tenantId: homedInA.id, quotas: { requestsPerMinute: 5 } } });
    expect(errorCodes(settingsReply)).toEqual(['FORBIDDEN']);
    for (const reply of [keyReply, revokeReply, settingsReply]) expect(JSON.stringify(reply.body)).not.toContain('region-a');
  });

  it('is written as before by a one-region admin plane (no SWITCHYARD_REGION)', async () => {
    const reply = await oneRegion.request(adminOf(homedInA), UPDATE, { input: { tenantId: homedInA.id, quotas: { requestsPerMinute: 7 } } });
    expect(reply.body.errors).toBeUndefined();
  });
});

describe('a tenant homed here, or not placed', () => {
  it('takes keys and settings, and a platform admin may move it away, after which its writes go to the new home', async () => {
    const key = await regionB.request(adminOf(homedInB), CREATE_KEY, { t: homedInB.id });
    expect(key.body.errors).toBeUndefined();
    const moved = await regionB.request(PLATFORM_ADMIN, UPDATE, { input: { tenantId: homedInB.id, homeRegion: 'region-a' } });
    expect(moved.body.errors).toBeUndefined();
    expect(moved.body.data?.['updateTenantSettings']).toMatchObject({ homeRegion: 'region-a' });
    const after = await regionB.request(adminOf(homedInB), CREATE_KEY, { t: homedInB.id });
    expect(errorCodes(after)).toEqual(['TENANT_HOMED_ELSEWHERE']);
  });

  it('an unplaced tenant is written anywhere, and may be placed', async () => {
    const key = await regionB.request(adminOf(unplaced), CREATE_KEY, { t: unplaced.id });
    expect(key.body.errors).toBeUndefined();
    const placed = await regionB.request(PLATFORM_ADMIN, UPDATE, { input: { tenantId: unplaced.id, homeRegion: 'region-b' } });
    expect(placed.body.errors).toBeUndefined();
  });
});
