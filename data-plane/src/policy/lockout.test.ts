import { describe, expect, it } from 'vitest';
import { compilePolicySet } from './compile';
import { lockoutCheck } from './lockout';
import { parsePolicies } from './parser';

const check = (text: string) => lockoutCheck(compilePolicySet(parsePolicies(text)), { tenant: 't1', context: { region: 'eu' } });

const ADMINS_MANAGE = '@id("admins-manage") permit (principal, action == Action::"manage_policy", resource) when { principal.roles.contains("tenant_admin") && principal.tenant == resource.tenant };';

describe('lockoutCheck', () => {
  it('passes when an admin may still manage policies', () => {
    expect(check(ADMINS_MANAGE)).toEqual({ locksOutAdmins: false, allowedBy: ['admins-manage'], deniedBy: [] });
  });

  it('reports a lockout when nothing permits manage_policy (default deny)', () => {
    expect(check('@id("models") permit (principal, action == Action::"use_model", resource);')).toEqual({ locksOutAdmins: true, allowedBy: [], deniedBy: [] });
  });

  it('reports a lockout by a forbid on every admin, naming it', () => {
    const result = check(`${ADMINS_MANAGE}\n@id("freeze") forbid (principal, action, resource) when { principal.roles.contains("tenant_admin") };`);
    expect(result).toEqual({ locksOutAdmins: true, allowedBy: [], deniedBy: ['freeze'] });
  });

  it('accepts a forbid that leaves admins some hours of the day', () => {
    const result = check(`${ADMINS_MANAGE}\n@id("night") forbid (principal, action == Action::"manage_policy", resource) unless { context.hour >= 9 && context.hour < 17 };`);
    expect(result.locksOutAdmins).toBe(false);
  });

  it('treats a permit that errors for admins as no permit', () => {
    expect(check('@id("needs-mfa") permit (principal, action == Action::"manage_policy", resource) when { principal.mfa };').locksOutAdmins).toBe(true);
  });
});
