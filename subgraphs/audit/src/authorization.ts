import type { Principal } from '@switchyard/identity';
import type { ReadScope } from './audit-store';

/**
 * platform_admin reads the whole log; a tenant_admin only its tenant's entries (row-level
 * security backs this: the store reads under `withTenant`). Other roles read nothing.
 */
export function auditReadScope(principal: Principal): ReadScope | null {
  if (principal.roles.includes('platform_admin')) return 'platform';
  if (principal.tenantId !== null && principal.roles.includes('tenant_admin')) return { tenantId: principal.tenantId };
  return null;
}
