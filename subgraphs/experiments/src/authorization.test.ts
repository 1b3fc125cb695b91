import { describe, expect, it } from 'vitest';
import type { Principal, Role } from '@switchyard/identity';
import { canReadRoutes, canWriteRoutes } from './authorization';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const who = (roles: Role[], tenantId: string | null): Principal => ({ subject: 's', email: null, tenantId, roles, service: 'gateway' });

describe('route authorization', () => {
  it.each([
    [['viewer'], A, true, false],
    [['operator'], A, true, false],
    [['tenant_admin'], A, true, true],
    [['tenant_admin'], B, false, false],
    [[], A, false, false],
    [['platform_admin'], null, true, true],
  ] as const)('%s of %s: read %s, write %s', (roles, tenantId, read, write) => {
    expect(canReadRoutes(who([...roles], tenantId), A)).toBe(read);
    expect(canWriteRoutes(who([...roles], tenantId), A)).toBe(write);
  });
});
