import type { Principal } from '@switchyard/identity';

/**
 * Sessions and memories hold what the tenant's users said (redacted, but still conversations):
 * only the tenant's admins and platform admins read or delete them, as with the tenant's other
 * sensitive settings. Row-level security backs the tenant boundary up.
 */
export function canManageMemory(principal: Principal, tenantId: string): boolean {
  if (principal.roles.includes('platform_admin')) return true;
  return principal.tenantId === tenantId && principal.roles.includes('tenant_admin');
}
