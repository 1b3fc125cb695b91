import { describe, expect, it } from 'vitest';
import type { Principal, Role } from '@switchyard/identity';
import { canCreateTenant, canManageApiKeys, canReadTenant, readScope } from './authorization';

const TENANT_A = '00000000-0000-4000-8000-00000000000a';
const TENANT_B = '00000000-0000-4000-8000-00000000000b';

function principal(roles: Role[], tenantId: string | null): Principal {
  return { subject: 'user', email: null, tenantId, roles, service: 'gateway' };
}

describe('authorization', () => {
  it('lets a platform admin do everything', () => {
    const admin = principal(['platform_admin'], null);
    expect(readScope(admin)).toEqual({ kind: 'platform' });
    expect(canReadTenant(admin, TENANT_B)).toBe(true);
    expect(canManageApiKeys(admin, TENANT_B)).toBe(true);
    expect(canCreateTenant(admin)).toBe(true);
  });

  it('keeps a tenant admin inside its tenant', () => {
    const admin = principal(['tenant_admin'], TENANT_A);
    expect(readScope(admin)).toEqual({ kind: 'tenant', tenantId: TENANT_A });
    expect(canReadTenant(admin, TENANT_A)).toBe(true);
    expect(canReadTenant(admin, TENANT_B)).toBe(false);
    expect(canManageApiKeys(admin, TENANT_A)).toBe(true);
    expect(canManageApiKeys(admin, TENANT_B)).toBe(false);
    expect(canCreateTenant(admin)).toBe(false);
  });

  it.each<Role>(['operator', 'viewer'])('lets %s read its tenant but not manage keys', (role) => {
    const reader = principal([role], TENANT_A);
    expect(canReadTenant(reader, TENANT_A)).toBe(true);
    expect(canManageApiKeys(reader, TENANT_A)).toBe(false);
  });

  it('grants nothing to a principal without roles or without a tenant', () => {
    expect(readScope(principal([], TENANT_A))).toBeNull();
    expect(canReadTenant(principal([], TENANT_A), TENANT_A)).toBe(false);
    expect(readScope(principal(['tenant_admin'], null))).toBeNull();
    expect(canManageApiKeys(principal(['tenant_admin'], null), TENANT_A)).toBe(false);
  });
});
