import type { Principal } from '@switchyard/identity';
import type { PolicyService } from './policy-service';

export interface PolicyContext {
  principal: Principal;
  service: PolicyService;
}
