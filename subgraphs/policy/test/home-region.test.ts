import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { POLICY_CHANGED_CHANNEL } from '@switchyard/events/policy';
import type { Database } from '@switchyard/db';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { ALLOW_ALL_POLICY, APPROVE, codes, NO_LARGE_POLICY, principal, PROPOSE, ROLLBACK, startPolicySubgraph, VERSIONS, type PolicyHarness } from './harness';

/**
 * Region B's policy subgraph (SWITCHYARD_REGION=region-b): a tenant homed in region A has its
 * policy versions proposed, approved and rolled back in A only (DESIGN.md §10); reads stay allowed.
 */
let testDatabase: MemoryTestDatabase;
let db: Database;
let bus: Bus;
let regionB: PolicyHarness;
let oneRegion: PolicyHarness;
const changes: string[] = [];

async function tenantHomedIn(home: string | null): Promise<string> {
  return (await db.withPlatform((tx) => tx.tenant.create({ data: { slug: `policy-home-${randomUUID().slice(0, 8)}`, name: 'homed', homeRegion: home }, select: { id: true } }))).id;
}

beforeAll(async () => {
  testDatabase = await createMemoryTestDatabase();
  db = testDatabase.db;
  bus = createInProcessBus();
  await bus.subscribe(POLICY_CHANGED_CHANNEL, (message) => changes.push(message));
  regionB = await startPolicySubgraph(db, bus, { region: 'region-b' });
  oneRegion = await startPolicySubgraph(db, bus);
});

afterAll(async () => {
  await regionB?.close();
  await oneRegion?.close();
  await bus?.close();
  await testDatabase?.drop();
});

describe('a tenant homed in another region', () => {
  it('refuses propose, approve and rollback, from its admins and platform admins alike; reads still work', async () => {
    const tenantId = await tenantHomedIn(null);
    const alice = principal('alice', ['tenant_admin'], tenantId);
    const bob = principal('bob', ['tenant_admin'], tenantId);
    // Versions written while it was administered here (before it was placed in A).
    expect(codes(await oneRegion.request(alice, PROPOSE, { tenantId, text: ALLOW_ALL_POLICY }))).toEqual([]);
    expect(codes(await oneRegion.request(bob, APPROVE, { tenantId, version: 1 }))).toEqual([]);
    expect(codes(await oneRegion.request(alice, PROPOSE, { tenantId, text: NO_LARGE_POLICY }))).toEqual([]);
    await db.withPlatform((tx) => tx.tenant.update({ where: { id: tenantId }, data: { homeRegion: 'region-a' } }));
    changes.length = 0;
    const before = await regionB.request(alice, VERSIONS, { tenantId });
    expect(before.body.errors).toBeUndefined();

    for (const caller of [bob, principal('root', ['platform_admin'], null)]) {
      for (const [mutation, variables] of [
        [PROPOSE, { tenantId, text: NO_LARGE_POLICY }],
        [APPROVE, { tenantId, version: 2 }],
        [ROLLBACK, { tenantId, toVersion: 1 }],
      ] as const) {
        const reply = await regionB.request(caller, mutation, variables);
        expect(codes(reply)).toEqual(['TENANT_HOMED_ELSEWHERE']);
        expect(reply.body.errors?.[0]?.extensions).toMatchObject({ homeRegion: 'region-a', region: 'region-b' });
        expect(reply.body.errors?.[0]?.message).toContain('region region-a');
      }
    }
    const after = await regionB.request(alice, VERSIONS, { tenantId });
    expect(after.body.data).toEqual(before.body.data);
    expect(changes).toEqual([]);
  });

  it('tells an admin of another tenant FORBIDDEN, not where the tenant lives', async () => {
    const tenantId = await tenantHomedIn('region-a');
    const stranger = principal('mallory', ['tenant_admin'], await tenantHomedIn('region-b'));
    const reply = await regionB.request(stranger, PROPOSE, { tenantId, text: ALLOW_ALL_POLICY });
    expect(codes(reply)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(reply.body)).not.toContain('region-a');
  });
});

describe('a tenant homed here, or in a one-region deployment', () => {
  it('is written as before', async () => {
    const here = await tenantHomedIn('region-b');
    expect(codes(await regionB.request(principal('alice', ['tenant_admin'], here), PROPOSE, { tenantId: here, text: ALLOW_ALL_POLICY }))).toEqual([]);
    const elsewhere = await tenantHomedIn('region-a');
    expect(codes(await oneRegion.request(principal('alice', ['tenant_admin'], elsewhere), PROPOSE, { tenantId: elsewhere, text: ALLOW_ALL_POLICY }))).toEqual([]);
  });
});
