import type { Principal } from '@switchyard/identity';

const isPlatformAdmin = (principal: Principal) => principal.roles.includes('platform_admin');

/** Any member of the tenant reads its SLOs; platform admins read every tenant's. Row-level security backs this up. */
export function canReadSlos(principal: Principal, tenantId: string): boolean {
  if (isPlatformAdmin(principal)) return true;
  return principal.tenantId === tenantId && principal.roles.length > 0;
}

/** Tenant admins set their own tenant's SLOs (issue 12); platform admins any tenant's. */
export function canManageSlos(principal: Principal, tenantId: string): boolean {
  if (isPlatformAdmin(principal)) return true;
  return principal.tenantId === tenantId && principal.roles.includes('tenant_admin');
}
