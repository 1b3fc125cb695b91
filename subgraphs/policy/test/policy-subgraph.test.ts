import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { createDatabaseDecisionLogWriter, useModelRequest } from '@switchyard/data-plane/pdp';
import { POLICY_CHANGED_CHANNEL } from '@switchyard/events/policy';
import type { Database } from '@switchyard/db';
import type { Principal } from '@switchyard/identity';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import {
  ALLOW_ALL_POLICY,
  APPROVE,
  codes,
  DRY_RUN,
  NO_LARGE_POLICY,
  principal,
  PROPOSE,
  ROLLBACK,
  startPolicySubgraph,
  VERSIONS,
  type PolicyHarness,
} from './harness';

let testDatabase: MemoryTestDatabase;
let db: Database;
let bus: Bus;
let harness: PolicyHarness;
const changes: string[] = [];

async function createTenant(slug: string): Promise<string> {
  return (await db.withPlatform((tx) => tx.tenant.create({ data: { slug: `${slug}-${randomUUID().slice(0, 8)}`, name: slug }, select: { id: true } }))).id;
}

beforeAll(async () => {
  testDatabase = await createMemoryTestDatabase();
  db = testDatabase.db;
  bus = createInProcessBus();
  await bus.subscribe(POLICY_CHANGED_CHANNEL, (message) => changes.push(message));
  harness = await startPolicySubgraph(db, bus);
});

afterAll(async () => {
  await harness?.close();
  await bus?.close();
  await testDatabase?.drop();
});

async function tenantWithAdmins(slug: string) {
  const tenantId = await createTenant(slug);
  return { tenantId, alice: principal(`alice-${slug}`, ['tenant_admin'], tenantId), bob: principal(`bob-${slug}`, ['tenant_admin'], tenantId) };
}

describe('proposePolicy', () => {
  it('refuses an invalid policy with the exact position and reason', async () => {
    const { tenantId, alice } = await tenantWithAdmins('invalid');
    const reply = await harness.request(alice, PROPOSE, { tenantId, text: 'permit (principal, action, resource)\nwhen { context.hour < };' });
    expect(codes(reply)).toEqual(['BAD_USER_INPUT']);
    const extensions = reply.body.errors?.[0]?.extensions;
    expect(extensions).toMatchObject({ policyCode: 'POLICY_SYNTAX_ERROR', line: 2, column: 23, field: 'text' });
    expect(typeof extensions?.['reason']).toBe('string');
    expect(reply.body.errors?.[0]?.message).toContain('at 2:23');

    const unknownVariable = await harness.request(alice, PROPOSE, { tenantId, text: ALLOW_ALL_POLICY + 'forbid (principal, action, resource) when { user.admin };' });
    expect(unknownVariable.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', policyCode: 'POLICY_INVALID', line: 3, column: 45 });
    expect((await harness.request(alice, VERSIONS, { tenantId })).body.data).toEqual({ policyVersions: [], activePolicy: null });
  });

  it('refuses a policy that would lock every admin out', async () => {
    const { tenantId, alice } = await tenantWithAdmins('lockout');
    const reply = await harness.request(alice, PROPOSE, { tenantId, text: '@id("models-only") permit (principal, action == Action::"use_model", resource);' });
    expect(codes(reply)).toEqual(['POLICY_LOCKOUT']);
    const forbidding = await harness.request(alice, PROPOSE, { tenantId, text: `${ALLOW_ALL_POLICY}@id("freeze") forbid (principal, action == Action::"manage_policy", resource);` });
    expect(codes(forbidding)).toEqual(['POLICY_LOCKOUT']);
    expect(forbidding.body.errors?.[0]?.extensions?.['deniedBy']).toEqual(['freeze']);
  });

  it('refuses oversized text, bad ids and non-admins', async () => {
    const { tenantId, alice } = await tenantWithAdmins('input');
    expect(codes(await harness.request(alice, PROPOSE, { tenantId, text: 'x'.repeat(70_000) }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await harness.request(alice, PROPOSE, { tenantId: 'not-a-uuid', text: ALLOW_ALL_POLICY }))).toEqual(['BAD_USER_INPUT']);
    const viewer = principal('viewer', ['viewer'], tenantId);
    expect(codes(await harness.request(viewer, PROPOSE, { tenantId, text: ALLOW_ALL_POLICY }))).toEqual(['FORBIDDEN']);
    expect((await harness.request(null, VERSIONS, { tenantId })).status).toBe(401);
  });
});

describe('review workflow', () => {
  it('proposes, dry-runs against logged decisions, approves by a second admin, rolls back; audits each step', async () => {
    const { tenantId, alice, bob } = await tenantWithAdmins('flow');
    const writer = createDatabaseDecisionLogWriter(db, 100);
    const logged = (model: string) => ({
      tenantId,
      request: useModelRequest({ apiKeyId: 'key-1', tenantId, scopes: [], model, route: model, headers: {}, now: new Date() }),
      decision: 'allow' as const,
      determiningPolicies: ['default-allow-all'],
    });
    await writer.write([logged('mock-gpt'), logged('mock-large'), logged('mock-mini')]);

    const v1 = await harness.request(alice, PROPOSE, { tenantId, text: NO_LARGE_POLICY });
    expect(v1.body.data?.['proposePolicy']).toMatchObject({ version: 1, status: 'PROPOSED', proposedBy: `user:${alice.subject}`, approvedBy: null });

    const dryRun = await harness.request(alice, DRY_RUN, { tenantId, version: 1 });
    expect(dryRun.body.data?.['dryRunPolicy']).toMatchObject({
      tenantId,
      version: 1,
      activeVersion: null,
      replayed: 3,
      flips: [{ principalId: 'key-1', action: 'use_model', resourceType: 'Model', resourceId: 'mock-large', before: 'ALLOW', beforePolicies: ['default-allow-all'], after: 'DENY', afterPolicies: ['no-large'] }],
    });

    expect(codes(await harness.request(alice, APPROVE, { tenantId, version: 1 }))).toEqual(['SAME_ADMIN']);
    const approved = await harness.request(bob, APPROVE, { tenantId, version: 1 });
    expect(approved.body.data?.['approvePolicy']).toMatchObject({ version: 1, status: 'ACTIVE', approvedBy: `user:${bob.subject}` });
    expect(changes).toContain(JSON.stringify({ tenantId }));
    expect(codes(await harness.request(bob, APPROVE, { tenantId, version: 1 }))).toEqual(['CONFLICT']);

    await harness.request(bob, PROPOSE, { tenantId, text: ALLOW_ALL_POLICY });
    const flipBack = await harness.request(bob, DRY_RUN, { tenantId, version: 2 });
    expect(flipBack.body.data?.['dryRunPolicy']).toMatchObject({ activeVersion: 1, flips: [{ resourceId: 'mock-large', before: 'DENY', after: 'ALLOW', afterPolicies: ['allow-all'] }] });
    await harness.request(alice, APPROVE, { tenantId, version: 2 });

    expect(codes(await harness.request(alice, ROLLBACK, { tenantId, toVersion: 2 }))).toEqual(['CONFLICT']);
    const rolledBack = await harness.request(alice, ROLLBACK, { tenantId, toVersion: 1 });
    expect(rolledBack.body.data?.['rollbackPolicy']).toMatchObject({ version: 1, status: 'ACTIVE', approvedBy: `user:${bob.subject}` });
    expect((await harness.request(alice, VERSIONS, { tenantId })).body.data).toEqual({
      policyVersions: [
        { version: 2, status: 'SUPERSEDED' },
        { version: 1, status: 'ACTIVE' },
      ],
      activePolicy: { version: 1 },
    });
    expect(harness.audited.filter((step) => step.tenantId === tenantId).map((step) => step.action)).toEqual([
      'policy.propose',
      'policy.dry_run',
      'policy.approve',
      'policy.propose',
      'policy.dry_run',
      'policy.approve',
      'policy.rollback',
    ]);
  });

  it('records an API key under its own identity and does not let it approve its own proposal', async () => {
    const { tenantId, bob } = await tenantWithAdmins('key');
    const key: Principal = { subject: 'api-key:k1', email: null, tenantId, roles: ['tenant_admin'], service: 'api-key:k1' };
    expect((await harness.request(key, PROPOSE, { tenantId, text: ALLOW_ALL_POLICY })).body.data?.['proposePolicy']).toMatchObject({ proposedBy: 'api-key:k1' });
    expect(codes(await harness.request(key, APPROVE, { tenantId, version: 1 }))).toEqual(['SAME_ADMIN']);
    expect((await harness.request(bob, APPROVE, { tenantId, version: 1 })).body.data?.['approvePolicy']).toMatchObject({ status: 'ACTIVE' });
    expect(harness.audited.filter((step) => step.tenantId === tenantId).map((step) => step.principal.service)).toEqual(['api-key:k1', 'gateway']);
  });

  it('keeps the four-eyes rule for proposals stored with a bare subject, and shows them as actors', async () => {
    const { tenantId, alice, bob } = await tenantWithAdmins('legacy');
    // How proposals were stored before proposedBy held actors.
    await db.withTenant(tenantId, (tx) => tx.policyVersion.create({ data: { tenantId, version: 1, text: ALLOW_ALL_POLICY, status: 'proposed', proposedBy: alice.subject } }));
    const listed = await harness.request(alice, `query($tenantId: ID!) { policyVersions(tenantId: $tenantId) { version proposedBy } }`, { tenantId });
    expect(listed.body.data?.['policyVersions']).toEqual([{ version: 1, proposedBy: `user:${alice.subject}` }]);
    expect(codes(await harness.request(alice, APPROVE, { tenantId, version: 1 }))).toEqual(['SAME_ADMIN']);
    expect((await harness.request(bob, APPROVE, { tenantId, version: 1 })).body.data?.['approvePolicy']).toMatchObject({ proposedBy: `user:${alice.subject}`, approvedBy: `user:${bob.subject}` });
  });

  it('activates a proposal once under concurrent approvals', async () => {
    const { tenantId, alice, bob } = await tenantWithAdmins('race');
    const carol = principal('carol-race', ['tenant_admin'], tenantId);
    await harness.request(alice, PROPOSE, { tenantId, text: ALLOW_ALL_POLICY });
    const replies = await Promise.all([harness.request(bob, APPROVE, { tenantId, version: 1 }), harness.request(carol, APPROVE, { tenantId, version: 1 })]);
    const winners = replies.filter((reply) => reply.body.data?.['approvePolicy']);
    expect(winners).toHaveLength(1);
    expect(replies.flatMap(codes)).toEqual(['CONFLICT']);
  });

  it('refuses a rollback to a version that was never active', async () => {
    const { tenantId, alice } = await tenantWithAdmins('never');
    await harness.request(alice, PROPOSE, { tenantId, text: ALLOW_ALL_POLICY });
    expect(codes(await harness.request(alice, ROLLBACK, { tenantId, toVersion: 1 }))).toEqual(['CONFLICT']);
    expect(codes(await harness.request(alice, ROLLBACK, { tenantId, toVersion: 9 }))).toEqual(['NOT_FOUND']);
  });

  it("keeps tenants apart: another tenant's admin can neither read nor change", async () => {
    const a = await tenantWithAdmins('cross-a');
    const b = await tenantWithAdmins('cross-b');
    await harness.request(a.alice, PROPOSE, { tenantId: a.tenantId, text: ALLOW_ALL_POLICY });
    expect(codes(await harness.request(b.alice, VERSIONS, { tenantId: a.tenantId }))).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(codes(await harness.request(b.bob, APPROVE, { tenantId: a.tenantId, version: 1 }))).toEqual(['FORBIDDEN']);
    expect(codes(await harness.request(b.bob, DRY_RUN, { tenantId: a.tenantId, version: 1 }))).toEqual(['FORBIDDEN']);
    // A platform admin may approve anywhere.
    const platform = principal('root', ['platform_admin'], null);
    expect((await harness.request(platform, APPROVE, { tenantId: a.tenantId, version: 1 })).body.data?.['approvePolicy']).toMatchObject({ status: 'ACTIVE' });
  });

  it("enforces the tenant's own manage_policy rule on its admins", async () => {
    const { tenantId, alice, bob } = await tenantWithAdmins('self');
    const onlyAlice = `@id("alice-manages") permit (principal, action == Action::"manage_policy", resource) when { principal.id == "${alice.subject}" };\n${ALLOW_ALL_POLICY.replace('permit (principal, action, resource)', 'permit (principal, action == Action::"use_model", resource)')}`;
    // The lockout probe is a generic tenant admin, so this policy is refused as a lockout.
    expect(codes(await harness.request(alice, PROPOSE, { tenantId, text: onlyAlice }))).toEqual(['POLICY_LOCKOUT']);
    const adminsOnly = `@id("admins-manage") permit (principal, action == Action::"manage_policy", resource) when { principal.roles.contains("tenant_admin") };`;
    await harness.request(alice, PROPOSE, { tenantId, text: adminsOnly });
    await harness.request(bob, APPROVE, { tenantId, version: 1 });
    const operator = principal('op', ['operator', 'tenant_admin'], tenantId);
    expect((await harness.request(operator, PROPOSE, { tenantId, text: adminsOnly })).body.data?.['proposePolicy']).toMatchObject({ version: 2 });
  });
});
