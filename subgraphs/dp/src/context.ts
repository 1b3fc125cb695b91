import type { Principal } from '@switchyard/identity';
import type { DpService } from './dp-service';

export interface DpContext {
  principal: Principal;
  service: DpService;
}
