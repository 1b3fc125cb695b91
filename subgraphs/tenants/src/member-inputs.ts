import { z } from 'zod';
import { idSchema } from './tenant-inputs';

/**
 * Roles a tenant admin may hand out. platform_admin is absent on purpose: it is granted by the
 * identity provider, never through a tenant's member list (that would be privilege escalation).
 */
export const ASSIGNABLE_MEMBER_ROLES = ['tenant_admin', 'operator', 'viewer'] as const;
export type AssignableMemberRole = (typeof ASSIGNABLE_MEMBER_ROLES)[number];

export const memberRoleSchema = z.enum(ASSIGNABLE_MEMBER_ROLES, {
  error: 'Use one of tenant_admin, operator or viewer (platform_admin is granted by the identity provider).',
});

/** The identity provider's `sub` claim: printable, no whitespace at the ends, bounded. */
const subjectSchema = z
  .string()
  .trim()
  .min(1, 'Must not be empty.')
  .max(200, 'Use at most 200 characters.')
  .regex(/^[\x21-\x7e]+$/, 'Use printable ASCII without spaces (the identity provider subject).');

/**
 * A member is named by e-mail (resolved to the identity provider's subject through the people
 * directory) or, for identity providers without a directory, by subject.
 */
export const addMemberInputSchema = z
  .object({
    tenantId: idSchema,
    subject: subjectSchema.nullish(),
    email: z.email('Must be an email address.').max(254, 'Use at most 254 characters.').nullish(),
    role: memberRoleSchema,
  })
  .refine((input) => Boolean(input.subject) || Boolean(input.email), { message: 'Give the member’s e-mail address (or their identity provider subject).', path: ['email'] });
/** What callers send; validated by `addMemberInputSchema` in the service. */
export interface AddMemberInput {
  tenantId: string;
  subject?: string | null | undefined;
  email?: string | null | undefined;
  role: string;
}
