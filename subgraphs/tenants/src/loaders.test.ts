import { describe, expect, it } from 'vitest';
import type { Principal } from '@switchyard/identity';
import { createTenantsLoaders } from './loaders';
import type { MembersService } from './members-service';
import type { TenantsService } from './tenants-service';
import type { ApiKey, Tenant } from './tenant-types';

const PRINCIPAL: Principal = { subject: 's', email: null, tenantId: null, roles: ['platform_admin'], service: 'gateway' };

function key(id: string, tenantId: string): ApiKey {
  return { id, tenantId, name: id, prefix: 'sk-sy-abc', scopes: [], createdAt: new Date(0), expiresAt: null, revokedAt: null, lastUsedAt: null };
}

describe('createTenantsLoaders', () => {
  it('asks the service once for all tenants in a tick and keeps the order of the keys asked for', async () => {
    const calls: string[][] = [];
    const service = {
      loadApiKeysOfTenants: async (ids: readonly string[]) => {
        calls.push([...ids]);
        return ids.map((id) => [key(`key-of-${id}`, id)]);
      },
      loadTenantsByIds: async (ids: readonly string[]): Promise<(Tenant | null)[]> => {
        calls.push([...ids]);
        return ids.map(() => null);
      },
    } as unknown as TenantsService;
    const loaders = createTenantsLoaders(service, {} as MembersService, PRINCIPAL);

    const results = await Promise.all(['t1', 't2', 't3', 't1'].map((id) => loaders.apiKeysByTenantId.load(id)));
    expect(calls).toEqual([['t1', 't2', 't3']]);
    expect(results.map((keys) => keys[0]?.id)).toEqual(['key-of-t1', 'key-of-t2', 'key-of-t3', 'key-of-t1']);

    await Promise.all(['a', 'b'].map((id) => loaders.tenantById.load(id)));
    expect(calls).toHaveLength(2);
  });
});
