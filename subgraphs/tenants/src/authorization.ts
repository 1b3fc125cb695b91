import type { Principal } from '@switchyard/identity';

/**
 * Who may do what, as pure functions of the principal the gateway vouched for.
 * platform_admin may do everything; every other role acts only inside `principal.tenantId`.
 * Row-level security in the database backs these checks up (the store runs every query
 * under the scope these functions choose).
 */
export type AccessScope = { kind: 'platform' } | { kind: 'tenant'; tenantId: string };

export function isPlatformAdmin(principal: Principal): boolean {
  return principal.roles.includes('platform_admin');
}

/** The widest scope the principal may read in, or null when it may read nothing. */
export function readScope(principal: Principal): AccessScope | null {
  if (isPlatformAdmin(principal)) return { kind: 'platform' };
  if (principal.tenantId !== null && principal.roles.length > 0) return { kind: 'tenant', tenantId: principal.tenantId };
  return null;
}

export function canReadTenant(principal: Principal, tenantId: string): boolean {
  if (isPlatformAdmin(principal)) return true;
  return principal.tenantId === tenantId && principal.roles.length > 0;
}

export function canManageApiKeys(principal: Principal, tenantId: string): boolean {
  if (isPlatformAdmin(principal)) return true;
  return principal.tenantId === tenantId && principal.roles.includes('tenant_admin');
}

export function canManageMembers(principal: Principal, tenantId: string): boolean {
  if (isPlatformAdmin(principal)) return true;
  return principal.tenantId === tenantId && principal.roles.includes('tenant_admin');
}

/** Provider credentials and webhook secrets: write-only secrets, set by tenant admins. */
export function canManageSecrets(principal: Principal, tenantId: string): boolean {
  if (isPlatformAdmin(principal)) return true;
  return principal.tenantId === tenantId && principal.roles.includes('tenant_admin');
}

export function canCreateTenant(principal: Principal): boolean {
  return isPlatformAdmin(principal);
}

/** Allowed regions, default classification and quotas (quotas above the platform default: platform admins only, see settings-service.ts). */
export function canManageSettings(principal: Principal, tenantId: string): boolean {
  if (isPlatformAdmin(principal)) return true;
  return principal.tenantId === tenantId && principal.roles.includes('tenant_admin');
}
