import { z } from 'zod';
import type { Operation } from './operations';

/**
 * The members page's GraphQL operations (tenants subgraph). Same shape as `operations.ts`;
 * listed in CONSOLE_OPERATIONS so they are validated and persisted with the rest.
 */
function operation<TData, TVariables>(name: string, document: string, data: z.ZodType<TData>): Operation<TData, TVariables> {
  return { name, document, data };
}

/** Roles a tenant admin may hand out (platform_admin comes from the identity provider only). */
export const ASSIGNABLE_MEMBER_ROLES = ['tenant_admin', 'operator', 'viewer'] as const;
export type AssignableMemberRole = (typeof ASSIGNABLE_MEMBER_ROLES)[number];

const memberSchema = z.object({
  id: z.string(),
  subject: z.string(),
  email: z.string().nullable(),
  role: z.enum(['platform_admin', 'tenant_admin', 'operator', 'viewer']),
  createdAt: z.string(),
});
export type Member = z.infer<typeof memberSchema>;

const MEMBER_FIELDS = 'id subject email role createdAt';

export const tenantMembersQuery = operation<
  { tenant: { id: string; slug: string; name: string; members: Member[] } | null },
  { slug: string }
>(
  'ConsoleTenantMembers',
  `query ConsoleTenantMembers($slug: String!) { tenant(slug: $slug) { id slug name members { ${MEMBER_FIELDS} } } }`,
  z.object({ tenant: z.object({ id: z.string(), slug: z.string(), name: z.string(), members: z.array(memberSchema) }).nullable() }),
);

export const addMemberMutation = operation<
  { addMember: Member },
  { input: { tenantId: string; subject?: string | null; email?: string | null; role: AssignableMemberRole } }
>(
  'ConsoleAddMember',
  `mutation ConsoleAddMember($input: AddMemberInput!) { addMember(input: $input) { ${MEMBER_FIELDS} } }`,
  z.object({ addMember: memberSchema }),
);

export const changeMemberRoleMutation = operation<{ changeMemberRole: Member }, { id: string; role: AssignableMemberRole }>(
  'ConsoleChangeMemberRole',
  `mutation ConsoleChangeMemberRole($id: ID!, $role: MemberRole!) { changeMemberRole(id: $id, role: $role) { ${MEMBER_FIELDS} } }`,
  z.object({ changeMemberRole: memberSchema }),
);

export const removeMemberMutation = operation<{ removeMember: { id: string } }, { id: string }>(
  'ConsoleRemoveMember',
  `mutation ConsoleRemoveMember($id: ID!) { removeMember(id: $id) { id } }`,
  z.object({ removeMember: z.object({ id: z.string() }) }),
);

export const MEMBER_OPERATIONS = [tenantMembersQuery, addMemberMutation, changeMemberRoleMutation, removeMemberMutation] as const;
