import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@switchyard/db';
import { createMemoryTestDatabase } from '@switchyard/db/testing';
import type { MemoryTestDatabase } from '@switchyard/db/testing';
import { AUDIT_STREAM, auditEventSchema } from '@switchyard/events/audit';
import { staticPeopleDirectory } from '../src/people-directory';
import { createTenantsService } from '../src/tenants-service';
import type { Tenant } from '../src/tenant-types';
import { PLATFORM_ADMIN, errorCodes, principalOf, startTenantsHarness } from './harness';
import type { GraphQLReply, TenantsHarness } from './harness';

let testDatabase: MemoryTestDatabase;
let db: Database;
let harness: TenantsHarness;
let tenantA: Tenant;
let tenantB: Tenant;

const adminA = () => principalOf(['tenant_admin'], tenantA.id, 'admin-a');
const operatorA = () => principalOf(['operator'], tenantA.id, 'operator-a');
const adminB = () => principalOf(['tenant_admin'], tenantB.id, 'admin-b');

const ADD = `mutation ($input: AddMemberInput!) { addMember(input: $input) { id subject email role tenant { slug } } }`;
const CHANGE = `mutation ($id: ID!, $role: MemberRole!) { changeMemberRole(id: $id, role: $role) { id role } }`;
const REMOVE = `mutation ($id: ID!) { removeMember(id: $id) { id subject } }`;
const LIST = `query ($slug: String!) { tenant(slug: $slug) { members { id subject role } } }`;

interface MemberReply {
  id: string;
  subject: string;
  role: string;
}

function memberOf(reply: GraphQLReply, field: string): MemberReply {
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data?.[field] as MemberReply;
}

async function add(tenant: Tenant, subject: string, role: string, by = PLATFORM_ADMIN): Promise<MemberReply> {
  return memberOf(await harness.request(by, ADD, { input: { tenantId: tenant.id, subject, role } }), 'addMember');
}

async function listSubjects(slug: string, by = PLATFORM_ADMIN): Promise<string[]> {
  const reply = await harness.request(by, LIST, { slug });
  const tenant = reply.body.data?.['tenant'] as { members: MemberReply[] } | null;
  return (tenant?.members ?? []).map((member) => `${member.subject}:${member.role}`);
}

beforeAll(async () => {
  testDatabase = await createMemoryTestDatabase();
  db = testDatabase.db;
  harness = await startTenantsHarness(db, { people: staticPeopleDirectory([{ subject: 'idp|carol', email: 'carol@example.test' }]) });
  const service = createTenantsService({ db, bus: harness.bus });
  tenantA = await service.createTenant({ slug: 'members-a', name: 'Members A' }, PLATFORM_ADMIN);
  tenantB = await service.createTenant({ slug: 'members-b', name: 'Members B' }, PLATFORM_ADMIN);
});

afterAll(async () => {
  await harness?.close();
  await testDatabase?.drop();
});

describe('members', () => {
  it('lets a tenant admin add, list, re-role and remove members of its tenant', async () => {
    const added = memberOf(
      await harness.request(adminA(), ADD, { input: { tenantId: tenantA.id, subject: 'alice', email: 'alice@example.test', role: 'tenant_admin' } }),
      'addMember',
    );
    expect(added).toMatchObject({ subject: 'alice', email: 'alice@example.test', role: 'tenant_admin', tenant: { slug: 'members-a' } });
    const bob = await add(tenantA, 'bob', 'viewer', adminA());
    expect(await listSubjects('members-a', operatorA())).toEqual(['alice:tenant_admin', 'bob:viewer']);

    expect(memberOf(await harness.request(adminA(), CHANGE, { id: bob.id, role: 'operator' }), 'changeMemberRole').role).toBe('operator');
    expect(memberOf(await harness.request(adminA(), REMOVE, { id: bob.id }), 'removeMember').subject).toBe('bob');
    expect(await listSubjects('members-a')).toEqual(['alice:tenant_admin']);
  });

  it('adds a member by e-mail through the identity provider’s directory, with a clear error for unknown addresses', async () => {
    const carol = memberOf(await harness.request(adminA(), ADD, { input: { tenantId: tenantA.id, email: 'Carol@Example.test', role: 'viewer' } }), 'addMember');
    expect(carol).toMatchObject({ subject: 'idp|carol', email: 'carol@example.test', role: 'viewer' });

    const again = await harness.request(adminA(), ADD, { input: { tenantId: tenantA.id, email: 'carol@example.test', role: 'operator' } });
    expect(errorCodes(again)).toEqual(['CONFLICT']);
    expect(again.body.errors?.[0]?.message).toContain('carol@example.test is already a member');

    const unknown = await harness.request(adminA(), ADD, { input: { tenantId: tenantA.id, email: 'nobody@example.test', role: 'viewer' } });
    expect(errorCodes(unknown)).toEqual(['UNKNOWN_EMAIL']);
    expect(unknown.body.errors?.[0]?.extensions?.field).toBe('input.email');
    expect(unknown.body.errors?.[0]?.message).toContain('nobody@example.test');

    // Neither subject nor e-mail: refused as input, naming the field to fill in.
    const neither = await harness.request(adminA(), ADD, { input: { tenantId: tenantA.id, role: 'viewer' } });
    expect(errorCodes(neither)).toEqual(['BAD_USER_INPUT']);
    // Another tenant's admin cannot add into tenant A by e-mail either.
    expect(errorCodes(await harness.request(adminB(), ADD, { input: { tenantId: tenantA.id, email: 'carol@example.test', role: 'viewer' } }))).toEqual(['FORBIDDEN']);
    await harness.request(adminA(), REMOVE, { id: carol.id });
  });

  it('refuses a duplicate subject with CONFLICT', async () => {
    await add(tenantB, 'dup', 'viewer');
    const reply = await harness.request(PLATFORM_ADMIN, ADD, { input: { tenantId: tenantB.id, subject: 'dup', role: 'operator' } });
    expect(errorCodes(reply)).toEqual(['CONFLICT']);
  });

  it('refuses members management to operators, viewers and other tenants', async () => {
    const target = await add(tenantA, 'carol', 'viewer');
    const viewerA = principalOf(['viewer'], tenantA.id, 'viewer-a');
    for (const principal of [operatorA(), viewerA, adminB()]) {
      expect(errorCodes(await harness.request(principal, ADD, { input: { tenantId: tenantA.id, subject: 'mallory', role: 'tenant_admin' } }))).toEqual(['FORBIDDEN']);
    }
    for (const principal of [operatorA(), viewerA]) {
      expect(errorCodes(await harness.request(principal, CHANGE, { id: target.id, role: 'tenant_admin' }))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await harness.request(principal, REMOVE, { id: target.id }))).toEqual(['FORBIDDEN']);
    }
    // Another tenant's admin cannot even tell the member exists.
    expect(errorCodes(await harness.request(adminB(), CHANGE, { id: target.id, role: 'tenant_admin' }))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await harness.request(adminB(), REMOVE, { id: target.id }))).toEqual(['NOT_FOUND']);
    expect(await listSubjects('members-a', adminB())).toEqual([]);
    expect(errorCodes(await harness.request(adminB(), LIST, { slug: 'members-a' }))).toEqual([]);
    expect(await listSubjects('members-a')).toContain('carol:viewer');
  });

  it('never hands out platform_admin through a member list', async () => {
    const reply = await harness.request(adminA(), ADD, { input: { tenantId: tenantA.id, subject: 'eve', role: 'platform_admin' } });
    expect(errorCodes(reply)).toEqual(['BAD_USER_INPUT']);
    const carol = (await harness.request(PLATFORM_ADMIN, LIST, { slug: 'members-a' })).body.data?.['tenant'] as { members: MemberReply[] };
    const id = carol.members.find((member) => member.subject === 'carol')?.id;
    expect(errorCodes(await harness.request(PLATFORM_ADMIN, CHANGE, { id, role: 'platform_admin' }))).toEqual(['BAD_USER_INPUT']);
  });

  it('rejects malformed input', async () => {
    const cases: Record<string, unknown>[] = [
      { tenantId: 'not-a-uuid', subject: 'x', role: 'viewer' },
      { tenantId: tenantA.id, subject: '', role: 'viewer' },
      { tenantId: tenantA.id, subject: 'has space', role: 'viewer' },
      { tenantId: tenantA.id, subject: 'x'.repeat(201), role: 'viewer' },
      { tenantId: tenantA.id, subject: 'x', email: 'not-an-email', role: 'viewer' },
    ];
    for (const input of cases) expect(errorCodes(await harness.request(PLATFORM_ADMIN, ADD, { input }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await harness.request(PLATFORM_ADMIN, REMOVE, { id: 'nope' }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await harness.request(PLATFORM_ADMIN, REMOVE, { id: '00000000-0000-4000-8000-000000000000' }))).toEqual(['NOT_FOUND']);
    const ghostTenant = { tenantId: '00000000-0000-4000-8000-000000000000', subject: 'x', role: 'viewer' };
    expect(errorCodes(await harness.request(PLATFORM_ADMIN, ADD, { input: ghostTenant }))).toEqual(['NOT_FOUND']);
  });
});

describe('the last tenant_admin', () => {
  it('cannot be demoted or removed, but can once another admin exists', async () => {
    const service = createTenantsService({ db, bus: harness.bus });
    const tenant = await service.createTenant({ slug: 'last-admin', name: 'Last admin' }, PLATFORM_ADMIN);
    const only = await add(tenant, 'only-admin', 'tenant_admin');
    expect(errorCodes(await harness.request(PLATFORM_ADMIN, CHANGE, { id: only.id, role: 'viewer' }))).toEqual(['LAST_ADMIN']);
    expect(errorCodes(await harness.request(PLATFORM_ADMIN, REMOVE, { id: only.id }))).toEqual(['LAST_ADMIN']);
    // Re-affirming the role of the last admin is not a demotion.
    expect(memberOf(await harness.request(PLATFORM_ADMIN, CHANGE, { id: only.id, role: 'tenant_admin' }), 'changeMemberRole').role).toBe('tenant_admin');

    const second = await add(tenant, 'second-admin', 'tenant_admin');
    expect(memberOf(await harness.request(PLATFORM_ADMIN, CHANGE, { id: only.id, role: 'viewer' }), 'changeMemberRole').role).toBe('viewer');
    expect(errorCodes(await harness.request(PLATFORM_ADMIN, REMOVE, { id: second.id }))).toEqual(['LAST_ADMIN']);
    expect(await listSubjects('last-admin')).toEqual(['only-admin:viewer', 'second-admin:tenant_admin']);
  });

  it('survives concurrent demotions of the two remaining admins', async () => {
    const service = createTenantsService({ db, bus: harness.bus });
    const tenant = await service.createTenant({ slug: 'race-admins', name: 'Race' }, PLATFORM_ADMIN);
    const one = await add(tenant, 'one', 'tenant_admin');
    const two = await add(tenant, 'two', 'tenant_admin');
    const replies = await Promise.all([
      harness.request(PLATFORM_ADMIN, CHANGE, { id: one.id, role: 'viewer' }),
      harness.request(PLATFORM_ADMIN, REMOVE, { id: two.id }),
    ]);
    expect(replies.flatMap(errorCodes)).toEqual(['LAST_ADMIN']);
    expect((await listSubjects('race-admins')).filter((entry) => entry.endsWith(':tenant_admin'))).toHaveLength(1);
  });
});

describe('audit', () => {
  it('appends member.add, member.role_change and member.remove events', async () => {
    const service = createTenantsService({ db, bus: harness.bus });
    const tenant = await service.createTenant({ slug: 'audited-members', name: 'Audited' }, PLATFORM_ADMIN);
    await harness.bus.ensureGroup(AUDIT_STREAM, 'members-test');
    await harness.bus.readGroup(AUDIT_STREAM, 'members-test', 'reader', { count: 10_000, blockMs: 0 });

    const member = await add(tenant, 'audited', 'viewer');
    await harness.request(PLATFORM_ADMIN, CHANGE, { id: member.id, role: 'operator' });
    await harness.request(PLATFORM_ADMIN, REMOVE, { id: member.id });

    const entries = await harness.bus.readGroup(AUDIT_STREAM, 'members-test', 'reader', { count: 100, blockMs: 0 });
    const events = entries.map((entry) => auditEventSchema.parse(JSON.parse(entry.payload)));
    expect(events.map((event) => [event.action, event.tenantId, event.actor])).toEqual([
      ['member.add', tenant.id, `user:${PLATFORM_ADMIN.subject}`],
      ['member.role_change', tenant.id, `user:${PLATFORM_ADMIN.subject}`],
      ['member.remove', tenant.id, `user:${PLATFORM_ADMIN.subject}`],
    ]);
    expect(events[1]?.payload).toMatchObject({ from: 'viewer', to: 'operator' });
  });
});
