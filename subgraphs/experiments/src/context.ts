import type { Principal } from '@switchyard/identity';
import type { ExperimentsService } from './experiments-service';
import type { ExperimentsLoaders } from './loaders';
import type { RoutesService } from './routes-service';

export interface ExperimentsContext {
  principal: Principal;
  routes: RoutesService;
  experiments: ExperimentsService;
  loaders: ExperimentsLoaders;
}
