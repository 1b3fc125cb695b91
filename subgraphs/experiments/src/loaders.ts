import DataLoader from 'dataloader';
import type { Principal } from '@switchyard/identity';
import type { RouteRecord } from './route-record';
import type { RoutesService } from './routes-service';

/** Per-request batch loaders: N entity references or N tenants' routes cost one query each. */
export interface ExperimentsLoaders {
  routeById: DataLoader<string, RouteRecord | null>;
  routesByTenantId: DataLoader<string, RouteRecord[]>;
}

export function createExperimentsLoaders(service: RoutesService, principal: Principal): ExperimentsLoaders {
  return {
    routeById: new DataLoader((ids) => service.loadRoutesByIds(ids, principal)),
    routesByTenantId: new DataLoader((ids) => service.loadRoutesOfTenants(ids, principal)),
  };
}
