import DataLoader from 'dataloader';
import type { Principal } from '@switchyard/identity';
import type { ArmStatRecord } from './experiment-record';
import type { ExperimentsService } from './experiments-service';
import type { RouteRecord } from './route-record';
import type { RoutesService } from './routes-service';

/** Per-request batch loaders: N entity references or N tenants' routes cost one query each. */
export interface ExperimentsLoaders {
  routeById: DataLoader<string, RouteRecord | null>;
  routesByTenantId: DataLoader<string, RouteRecord[]>;
  /** Arm statistics of an experiment the caller already read (so its tenant is the caller's). */
  statsByExperiment: DataLoader<{ tenantId: string; experimentId: string }, ArmStatRecord[], string>;
}

export function createExperimentsLoaders(service: RoutesService, principal: Principal, experiments: ExperimentsService): ExperimentsLoaders {
  return {
    routeById: new DataLoader((ids) => service.loadRoutesByIds(ids, principal)),
    routesByTenantId: new DataLoader((ids) => service.loadRoutesOfTenants(ids, principal)),
    statsByExperiment: new DataLoader((keys) => experiments.loadStats(keys), { cacheKeyFn: (key) => key.experimentId }),
  };
}
