import type { Principal } from '@switchyard/identity';
import type { TenantsLoaders } from './loaders';
import type { MembersService } from './members-service';
import type { SecretsService } from './secrets-service';
import type { SettingsService } from './settings-service';
import type { TenantsService } from './tenants-service';

export interface TenantsContext {
  principal: Principal;
  service: TenantsService;
  members: MembersService;
  secrets: SecretsService;
  settings: SettingsService;
  loaders: TenantsLoaders;
}
