import type { Principal } from '@switchyard/identity';

/**
 * Like cost: platform_admin may do everything; any tenant role reads its own tenant's budgets;
 * tenant_admin creates budgets; tenant_admin and operator spend them (reserve, commit, release,
 * noisy releases). Row-level security backs every check up.
 */
export const isPlatformAdmin = (principal: Principal): boolean => principal.roles.includes('platform_admin');

export function canReadBudgets(principal: Principal, tenantId: string): boolean {
  return isPlatformAdmin(principal) || (principal.tenantId === tenantId && principal.roles.length > 0);
}

export function canCreateBudgets(principal: Principal, tenantId: string): boolean {
  return isPlatformAdmin(principal) || (principal.tenantId === tenantId && principal.roles.includes('tenant_admin'));
}

export function canSpendBudgets(principal: Principal, tenantId: string): boolean {
  return isPlatformAdmin(principal) || (principal.tenantId === tenantId && (principal.roles.includes('tenant_admin') || principal.roles.includes('operator')));
}
