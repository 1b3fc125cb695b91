import type { Principal } from '@switchyard/identity';

/**
 * Who may do what with a tenant's routes, as pure functions of the principal the gateway vouched
 * for. Row-level security backs the tenant boundary up: the store works under `withTenant`.
 */
export function isPlatformAdmin(principal: Principal): boolean {
  return principal.roles.includes('platform_admin');
}

/** Any role of the tenant (viewer, operator, tenant_admin) reads its routes. */
export function canReadRoutes(principal: Principal, tenantId: string): boolean {
  if (isPlatformAdmin(principal)) return true;
  return principal.tenantId === tenantId && principal.roles.length > 0;
}

/** Only the tenant's admins change routes: a route decides where the tenant's prompts go. */
export function canWriteRoutes(principal: Principal, tenantId: string): boolean {
  if (isPlatformAdmin(principal)) return true;
  return principal.tenantId === tenantId && principal.roles.includes('tenant_admin');
}
