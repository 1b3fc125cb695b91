import type { Principal } from '@switchyard/identity';
import type { MemoryService } from './memory-service';

export interface MemoryContext {
  principal: Principal;
  service: MemoryService;
}
