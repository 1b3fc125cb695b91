import type DataLoader from 'dataloader';
import type { Principal } from '@switchyard/identity';
import type { CostService } from './cost-service';
import type { SavingsService } from './savings-service';
import type { RequestLogService } from './request-log/request-log-service';
import type { CostSummary, CostWindow } from './cost-summary';

export interface CostSummaryKey {
  tenantId: string;
  window: CostWindow;
}

export interface CostContext {
  principal: Principal;
  service: CostService;
  savings: SavingsService;
  requestLog: RequestLogService;
  /** Deduplicates summaries asked for twice in one request (e.g. `costSummary` and `Tenant.cost`). */
  costSummaries: DataLoader<CostSummaryKey, CostSummary, string>;
}
