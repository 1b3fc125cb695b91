import { describe, expect, it } from 'vitest';
import { maskedSecret, secretsAccess } from './tenant-secrets';

const TENANT = '6d1f3f0e-3c55-4b0a-9d43-0d7b7b6f0a11';
const OTHER = '0b8a5a1c-9f2e-4c3d-8a7b-2e1f0c9d8e7f';

describe('secretsAccess', () => {
  it('lets platform admins and this tenant’s admins change secrets', () => {
    expect(secretsAccess({ roles: ['platform_admin'], tenantId: null }, TENANT)).toEqual({ canManage: true });
    expect(secretsAccess({ roles: ['tenant_admin'], tenantId: TENANT }, TENANT)).toEqual({ canManage: true });
  });

  it('keeps viewers and operators read-only and says why', () => {
    const viewer = secretsAccess({ roles: ['viewer'], tenantId: TENANT }, TENANT);
    expect(viewer).toMatchObject({ canManage: false, reason: expect.stringContaining('a viewer of this tenant') });
    const operator = secretsAccess({ roles: ['operator'], tenantId: TENANT }, TENANT);
    expect(operator).toMatchObject({ canManage: false, reason: expect.stringContaining('only a tenant admin') });
  });

  it('never lets an admin of another tenant change this one', () => {
    expect(secretsAccess({ roles: ['tenant_admin'], tenantId: OTHER }, TENANT)).toMatchObject({ canManage: false, reason: expect.stringContaining('without a role') });
    expect(secretsAccess({ roles: [], tenantId: null }, TENANT).canManage).toBe(false);
  });
});

describe('maskedSecret', () => {
  it('shows at most the last four characters', () => {
    expect(maskedSecret('c0de')).toBe('••••c0de');
  });

  it('shows nothing of secrets the API keeps fully hidden', () => {
    expect(maskedSecret('')).toBe('••••••••');
  });
});
