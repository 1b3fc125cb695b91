import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { MEMBER_CHANGED_CHANNEL } from '@switchyard/events/tenants';
import type { Principal } from '@switchyard/identity';
import { AUDIT_STREAM, type AuditEventInput } from '@switchyard/events/audit';
import { auditActor } from '@switchyard/subgraph-kit/audit-actor';
import { canManageMembers, canReadTenant, isPlatformAdmin, readScope } from './authorization';
import type { AccessScope } from './authorization';
import { conflict, forbidden, lastAdmin, notFound, unknownEmail } from './errors';
import { addMemberInputSchema, memberRoleSchema } from './member-inputs';
import type { AddMemberInput } from './member-inputs';
import type { Member } from './member-types';
import { DuplicateMemberError, LastAdminError, createMembersStore } from './members-store';
import type { MemberChange, MembersStore } from './members-store';
import { parseInput } from './parse-input';
import { NO_PEOPLE_DIRECTORY, type PeopleDirectory } from './people-directory';
import { idSchema } from './tenant-inputs';

/**
 * Who belongs to a tenant and in which role. Managing members takes platform_admin or
 * tenant_admin of that tenant; every change goes to the audit stream; a tenant always keeps
 * at least one tenant_admin.
 */
export interface MembersService {
  listMembers(tenantId: string, principal: Principal): Promise<Member[]>;
  /** Batch lookup for DataLoaders: one list per tenant id, empty where not visible. */
  loadMembersOfTenants(tenantIds: readonly string[], principal: Principal): Promise<Member[][]>;
  addMember(input: AddMemberInput, principal: Principal): Promise<Member>;
  changeMemberRole(id: string, role: string, principal: Principal): Promise<Member>;
  /** Returns the removed member. */
  removeMember(id: string, principal: Principal): Promise<Member>;
}

export interface MembersServiceDeps {
  db: Database;
  bus: Bus;
  /** Resolves e-mail addresses to subjects (the bundled issuer's accounts under `npm start`); default: none. */
  people?: PeopleDirectory;
  now?: () => Date;
}

const MANAGE_MESSAGE = 'Only a tenant admin of this tenant (or a platform admin) may manage its members.';
const isUuid = (value: string): boolean => idSchema.safeParse(value).success;

export function createMembersService(deps: MembersServiceDeps): MembersService {
  const store: MembersStore = createMembersStore(deps.db);
  const now = deps.now ?? (() => new Date());
  const people = deps.people ?? NO_PEOPLE_DIRECTORY;

  async function audit(event: Omit<AuditEventInput, 'subjectId' | 'dataClassification' | 'actor'>, principal: Principal): Promise<void> {
    const full: AuditEventInput = {
      ...event,
      actor: auditActor(principal),
      subjectId: principal.subject,
      dataClassification: 'internal',
      occurredAt: now().toISOString(),
    };
    await deps.bus.append(AUDIT_STREAM, JSON.stringify(full));
    // Every change is audited, so this is where the gateway's and data plane's cached memberships hear of it.
    await deps.bus.publish(MEMBER_CHANGED_CHANNEL, JSON.stringify({ tenantId: event.tenantId }));
  }

  /** The scope in which the principal may look a member up for a change, or FORBIDDEN. */
  function manageScope(principal: Principal): AccessScope {
    if (isPlatformAdmin(principal)) return { kind: 'platform' };
    if (principal.tenantId !== null && canManageMembers(principal, principal.tenantId)) return { kind: 'tenant', tenantId: principal.tenantId };
    throw forbidden(MANAGE_MESSAGE);
  }

  async function changeExisting(id: string, principal: Principal, change: (tenantId: string, id: string) => Promise<MemberChange | null>): Promise<MemberChange> {
    const validId = parseInput(idSchema, id, 'id');
    const tenantId = await store.findMemberTenant(manageScope(principal), validId);
    if (!tenantId) throw notFound(`No member ${validId} is visible to you.`);
    try {
      const result = await change(tenantId, validId);
      if (!result) throw notFound(`No member ${validId} is visible to you.`);
      return result;
    } catch (error) {
      if (error instanceof LastAdminError) throw lastAdmin('This is the tenant\'s last tenant_admin: make another member tenant_admin first.');
      throw error;
    }
  }

  /** A subject given is used as is; otherwise the e-mail must resolve, and the directory's spelling of it is kept. */
  async function resolvePerson(subject: string | null, email: string | null): Promise<{ subject: string; email: string | null }> {
    if (subject) return { subject, email };
    const person = email ? await people.findByEmail(email) : null;
    if (!person) throw unknownEmail(email ?? '');
    return person;
  }

  return {
    async listMembers(tenantId, principal) {
      const validId = parseInput(idSchema, tenantId, 'tenantId');
      if (!canReadTenant(principal, validId)) throw forbidden('You may only list the members of your own tenant.');
      const scope = readScope(principal);
      return scope ? store.listMembersOfTenants(scope, [validId]) : [];
    },

    async loadMembersOfTenants(tenantIds, principal) {
      const scope = readScope(principal);
      const lookup = tenantIds.filter(isUuid);
      const members = scope && lookup.length > 0 ? await store.listMembersOfTenants(scope, lookup) : [];
      const byTenant = new Map<string, Member[]>();
      for (const member of members) byTenant.set(member.tenantId, [...(byTenant.get(member.tenantId) ?? []), member]);
      return tenantIds.map((id) => byTenant.get(id) ?? []);
    },

    async addMember(input, principal) {
      const valid = parseInput(addMemberInputSchema, input, 'input');
      if (!canManageMembers(principal, valid.tenantId)) throw forbidden(MANAGE_MESSAGE);
      const tenantExists = await deps.db.withPlatform((tx) => tx.tenant.count({ where: { id: valid.tenantId } }));
      if (tenantExists === 0) throw notFound(`No tenant ${valid.tenantId} is visible to you.`);
      const { subject, email } = await resolvePerson(valid.subject ?? null, valid.email ?? null);
      try {
        const member = await store.addMember(valid.tenantId, { subject, email, role: valid.role });
        await audit(
          { idempotencyKey: `member.add:${member.id}`, tenantId: member.tenantId, action: 'member.add', payload: { memberId: member.id, subject: member.subject, role: member.role } },
          principal,
        );
        return member;
      } catch (error) {
        if (error instanceof DuplicateMemberError) {
          const who = valid.subject ? `Subject "${subject}"` : `${email ?? subject}`;
          throw conflict(`${who} is already a member of this tenant; change the role instead.`, valid.subject ? 'input.subject' : 'input.email');
        }
        throw error;
      }
    },

    async changeMemberRole(id, role, principal) {
      const validRole = parseInput(memberRoleSchema, role, 'role');
      const { before, after } = await changeExisting(id, principal, (tenantId, memberId) => store.changeRole(tenantId, memberId, validRole));
      const member = after ?? before;
      if (before.role !== member.role) {
        const at = now().toISOString();
        await audit(
          {
            idempotencyKey: `member.role_change:${member.id}:${at}`,
            tenantId: member.tenantId,
            action: 'member.role_change',
            payload: { memberId: member.id, subject: member.subject, from: before.role, to: member.role },
          },
          principal,
        );
      }
      return member;
    },

    async removeMember(id, principal) {
      const { before } = await changeExisting(id, principal, (tenantId, memberId) => store.removeMember(tenantId, memberId));
      await audit(
        { idempotencyKey: `member.remove:${before.id}`, tenantId: before.tenantId, action: 'member.remove', payload: { memberId: before.id, subject: before.subject, role: before.role } },
        principal,
      );
      return before;
    },
  };
}
