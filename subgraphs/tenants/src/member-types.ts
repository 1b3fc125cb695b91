import type { Role } from '@switchyard/identity';

/** A person's role inside one tenant (the `members` table). */
export interface Member {
  id: string;
  tenantId: string;
  subject: string;
  email: string | null;
  role: Role;
  createdAt: Date;
}
