import type { Database, TenantTx } from '@switchyard/db';
import type { AccessScope } from './authorization';
import type { AssignableMemberRole } from './member-inputs';
import type { Member } from './member-types';

/**
 * Storage of tenant members. Every query runs under `withTenant`, so row-level security confines
 * it to one tenant. Changes that could take away a tenant's last tenant_admin first lock that
 * tenant's admin rows (SELECT … FOR UPDATE): two concurrent demotions serialize, and the second
 * sees the first's result, so a tenant never ends up without an admin.
 */
export class DuplicateMemberError extends Error {
  constructor(readonly subject: string) {
    super(`Subject "${subject}" is already a member of this tenant.`);
    this.name = 'DuplicateMemberError';
  }
}

export class LastAdminError extends Error {
  constructor() {
    super('A tenant must keep at least one tenant_admin.');
    this.name = 'LastAdminError';
  }
}

export interface NewMemberRecord {
  subject: string;
  email: string | null;
  role: AssignableMemberRole;
}

export interface MemberChange {
  before: Member;
  after: Member | null;
}

export interface MembersStore {
  listMembersOfTenants(scope: AccessScope, tenantIds: readonly string[]): Promise<Member[]>;
  /** The tenant holding member `id`, searched within `scope`; null when not visible. */
  findMemberTenant(scope: AccessScope, id: string): Promise<string | null>;
  addMember(tenantId: string, record: NewMemberRecord): Promise<Member>;
  /** Null when the member is not in `tenantId`. Throws LastAdminError instead of demoting the last admin. */
  changeRole(tenantId: string, id: string, role: AssignableMemberRole): Promise<MemberChange | null>;
  /** Null when the member is not in `tenantId`. Throws LastAdminError instead of removing the last admin. */
  removeMember(tenantId: string, id: string): Promise<MemberChange | null>;
}

const memberSelect = { id: true, tenantId: true, subject: true, email: true, role: true, createdAt: true } as const;

function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === 'P2002' || code === '23505';
}

async function lockAdmins(tx: TenantTx, tenantId: string): Promise<number> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id"::text AS "id" FROM "members" WHERE "tenant_id" = ${tenantId}::uuid AND "role" = 'tenant_admin' FOR UPDATE`;
  return rows.length;
}

export function createMembersStore(db: Database): MembersStore {
  async function tenantIdsIn(scope: AccessScope): Promise<string[]> {
    if (scope.kind === 'tenant') return [scope.tenantId];
    const rows = await db.withPlatform((tx) => tx.tenant.findMany({ select: { id: true } }));
    return rows.map((row) => row.id);
  }

  async function guardedChange(
    tenantId: string,
    id: string,
    apply: (tx: TenantTx, before: Member) => Promise<Member | null>,
    keepsAdmin: (before: Member) => boolean,
  ): Promise<MemberChange | null> {
    return db.withTenant(tenantId, async (tx) => {
      const admins = await lockAdmins(tx, tenantId);
      const before = await tx.member.findFirst({ where: { id, tenantId }, select: memberSelect });
      if (!before) return null;
      if (before.role === 'tenant_admin' && !keepsAdmin(before) && admins <= 1) throw new LastAdminError();
      return { before, after: await apply(tx, before) };
    });
  }

  return {
    async listMembersOfTenants(scope, tenantIds) {
      const visible = scope.kind === 'tenant' ? tenantIds.filter((id) => id === scope.tenantId) : [...new Set(tenantIds)];
      const perTenant = await Promise.all(
        visible.map((tenantId) =>
          db.withTenant(tenantId, (tx) =>
            tx.member.findMany({ where: { tenantId }, select: memberSelect, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
          ),
        ),
      );
      return perTenant.flat();
    },

    async findMemberTenant(scope, id) {
      for (const tenantId of await tenantIdsIn(scope)) {
        const found = await db.withTenant(tenantId, (tx) => tx.member.findFirst({ where: { id, tenantId }, select: { tenantId: true } }));
        if (found) return found.tenantId;
      }
      return null;
    },

    async addMember(tenantId, record) {
      try {
        return await db.withTenant(tenantId, (tx) => tx.member.create({ data: { tenantId, ...record }, select: memberSelect }));
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateMemberError(record.subject);
        throw error;
      }
    },

    changeRole(tenantId, id, role) {
      return guardedChange(
        tenantId,
        id,
        (tx) => tx.member.update({ where: { id }, data: { role }, select: memberSelect }),
        () => role === 'tenant_admin',
      );
    },

    removeMember(tenantId, id) {
      return guardedChange(
        tenantId,
        id,
        async (tx) => {
          await tx.member.delete({ where: { id } });
          return null;
        },
        () => false,
      );
    },
  };
}
