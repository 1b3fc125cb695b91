import type { Principal } from '@switchyard/identity';

/**
 * platform_admin reads every tenant's cost; any other role only its own tenant's.
 * Row-level security backs this up: the store reads under `withTenant(tenantId)`.
 */
export function canReadTenantCost(principal: Principal, tenantId: string): boolean {
  if (principal.roles.includes('platform_admin')) return true;
  return principal.tenantId === tenantId && principal.roles.length > 0;
}
