import type { Principal } from '@switchyard/identity';
import type { AuditService } from './audit-service';

export interface AuditContext {
  principal: Principal;
  service: AuditService;
}
