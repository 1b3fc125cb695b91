import type { Principal } from '@switchyard/identity';

/**
 * Reading and changing a tenant's policies: a tenant_admin of that tenant, or a platform_admin.
 * Row-level security backs the tenant boundary up: the store works under `withTenant(tenantId)`.
 */
export function canManageTenantPolicy(principal: Principal, tenantId: string): boolean {
  if (principal.roles.includes('platform_admin')) return true;
  return principal.tenantId === tenantId && principal.roles.includes('tenant_admin');
}

export function isPlatformAdmin(principal: Principal): boolean {
  return principal.roles.includes('platform_admin');
}
