import type { Principal } from '@switchyard/identity';
import type { TenantsLoaders } from './loaders';
import type { MembersService } from './members-service';
import type { SecretsService } from './secrets-service';
import type { TenantsService } from './tenants-service';

export interface TenantsContext {
  principal: Principal;
  service: TenantsService;
  members: MembersService;
  secrets: SecretsService;
  loaders: TenantsLoaders;
}
