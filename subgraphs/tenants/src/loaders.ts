import DataLoader from 'dataloader';
import type { Principal } from '@switchyard/identity';
import type { Member } from './member-types';
import type { MembersService } from './members-service';
import type { TenantsService } from './tenants-service';
import type { ApiKey, Tenant } from './tenant-types';

/** Per-request batch loaders: N entity references or N tenants' keys cost one query each. */
export interface TenantsLoaders {
  tenantById: DataLoader<string, Tenant | null>;
  apiKeysByTenantId: DataLoader<string, ApiKey[]>;
  apiKeyById: DataLoader<string, ApiKey | null>;
  membersByTenantId: DataLoader<string, Member[]>;
}

export function createTenantsLoaders(service: TenantsService, members: MembersService, principal: Principal): TenantsLoaders {
  return {
    tenantById: new DataLoader((ids) => service.loadTenantsByIds(ids, principal)),
    apiKeysByTenantId: new DataLoader((ids) => service.loadApiKeysOfTenants(ids, principal)),
    apiKeyById: new DataLoader((ids) => service.loadApiKeysByIds(ids, principal)),
    membersByTenantId: new DataLoader((ids) => members.loadMembersOfTenants(ids, principal)),
  };
}
