import type { Principal } from '@switchyard/identity';
import type { TenantsLoaders } from './loaders';
import type { TenantsService } from './tenants-service';

export interface TenantsContext {
  principal: Principal;
  service: TenantsService;
  loaders: TenantsLoaders;
}
