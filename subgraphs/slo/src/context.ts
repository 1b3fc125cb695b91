import type { Principal } from '@switchyard/identity';
import type { SloService } from './slo-service';

export interface SloContext {
  principal: Principal;
  service: SloService;
}
