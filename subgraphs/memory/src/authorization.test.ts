import { describe, expect, it } from 'vitest';
import { principalOf, PLATFORM_ADMIN } from '@switchyard/subgraph-kit/testing';
import { canManageMemory } from './authorization';

describe('who may see and delete a tenant memory', () => {
  const tenant = '11111111-1111-4111-8111-111111111111';
  const other = '22222222-2222-4222-8222-222222222222';
  it('lets the tenant admins and platform admins, nobody else', () => {
    expect(canManageMemory(principalOf(['tenant_admin'], tenant), tenant)).toBe(true);
    expect(canManageMemory(PLATFORM_ADMIN, tenant)).toBe(true);
    expect(canManageMemory(principalOf(['viewer'], tenant), tenant)).toBe(false);
    expect(canManageMemory(principalOf(['tenant_admin'], other), tenant)).toBe(false);
    expect(canManageMemory(principalOf([], tenant), tenant)).toBe(false);
  });
});
