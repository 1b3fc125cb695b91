import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisBus, type Bus } from '@switchyard/bus';
import { createDatabaseActivePolicySource, createPolicyDecisionPoint, useModelRequest } from '@switchyard/data-plane/pdp';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { APPROVE, codes, NO_LARGE_POLICY, principal, PROPOSE, ROLLBACK, startPolicySubgraph, ALLOW_ALL_POLICY, type PolicyHarness } from './harness';

// Real Postgres (row locks, the partial unique index) and Redis pub/sub between the subgraph and a data plane's decision point.
const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `sy-test-policy-${randomUUID()}:`;
let testDatabase: TestDatabase;
let subgraphBus: Bus;
let dataPlaneBus: Bus;
let harness: PolicyHarness;

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  subgraphBus = createRedisBus(redisUrl, { keyPrefix });
  dataPlaneBus = createRedisBus(redisUrl, { keyPrefix });
  harness = await startPolicySubgraph(testDatabase.db, subgraphBus);
});

afterAll(async () => {
  await harness?.close();
  await subgraphBus?.close();
  await dataPlaneBus?.close();
  await testDatabase?.drop();
});

async function tenant(slug: string) {
  const tenantId = (await testDatabase.db.withPlatform((tx) => tx.tenant.create({ data: { slug: `${slug}-${randomUUID().slice(0, 8)}`, name: slug }, select: { id: true } }))).id;
  return { tenantId, alice: principal(`alice-${slug}`, ['tenant_admin'], tenantId), bob: principal(`bob-${slug}`, ['tenant_admin'], tenantId), carol: principal(`carol-${slug}`, ['tenant_admin'], tenantId) };
}

describe('policy subgraph on Postgres and Redis', () => {
  it('activates a proposal once when approvals race, and keeps one active version when two proposals race', async () => {
    const { tenantId, alice, bob, carol } = await tenant('pg-race');
    await harness.request(alice, PROPOSE, { tenantId, text: ALLOW_ALL_POLICY });
    await harness.request(alice, PROPOSE, { tenantId, text: NO_LARGE_POLICY });
    const sameProposal = await Promise.all([bob, carol].map((who) => harness.request(who, APPROVE, { tenantId, version: 1 })));
    expect(sameProposal.filter((reply) => reply.body.data?.['approvePolicy'])).toHaveLength(1);
    expect(sameProposal.flatMap(codes)).toEqual(['CONFLICT']);

    await harness.request(alice, PROPOSE, { tenantId, text: ALLOW_ALL_POLICY });
    const twoProposals = await Promise.all([harness.request(bob, APPROVE, { tenantId, version: 2 }), harness.request(carol, APPROVE, { tenantId, version: 3 })]);
    const active = await testDatabase.db.withTenant(tenantId, (tx) => tx.policyVersion.findMany({ where: { tenantId, status: 'active' } }));
    expect(active).toHaveLength(1);
    expect(twoProposals.flatMap(codes).every((code) => code === 'CONFLICT')).toBe(true);
  });

  it('a data plane denies within a second of the approval (bus event), and allows again after a rollback', async () => {
    const { tenantId, alice, bob } = await tenant('pg-pdp');
    const pdp = createPolicyDecisionPoint({ source: createDatabaseActivePolicySource(testDatabase.db) });
    const unsubscribe = await pdp.subscribe(dataPlaneBus);
    const ask = () => pdp.decide(useModelRequest({ apiKeyId: 'k', tenantId, scopes: [], model: 'mock-large', route: 'mock-large', headers: {}, now: new Date() }));
    try {
      await harness.request(alice, PROPOSE, { tenantId, text: ALLOW_ALL_POLICY });
      await harness.request(bob, APPROVE, { tenantId, version: 1 });
      await vi.waitFor(async () => expect(await ask()).toMatchObject({ decision: 'allow', policyVersion: 1 }), { timeout: 1000, interval: 20 });

      await harness.request(alice, PROPOSE, { tenantId, text: NO_LARGE_POLICY });
      await harness.request(bob, APPROVE, { tenantId, version: 2 });
      await vi.waitFor(async () => expect(await ask()).toMatchObject({ decision: 'deny', determiningPolicies: ['no-large'], policyVersion: 2 }), { timeout: 1000, interval: 20 });

      expect((await harness.request(alice, ROLLBACK, { tenantId, toVersion: 1 })).body.data?.['rollbackPolicy']).toMatchObject({ status: 'ACTIVE' });
      await vi.waitFor(async () => expect(await ask()).toMatchObject({ decision: 'allow', policyVersion: 1 }), { timeout: 1000, interval: 20 });
    } finally {
      await unsubscribe();
    }
  });

  it('row-level security hides one tenant\'s versions from another tenant\'s transaction', async () => {
    const a = await tenant('pg-rls-a');
    const b = await tenant('pg-rls-b');
    await harness.request(a.alice, PROPOSE, { tenantId: a.tenantId, text: ALLOW_ALL_POLICY });
    const seen = await testDatabase.db.withTenant(b.tenantId, (tx) => tx.policyVersion.findMany({ where: { tenantId: a.tenantId } }));
    expect(seen).toEqual([]);
  });
});
