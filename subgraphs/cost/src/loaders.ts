import DataLoader from 'dataloader';
import type { Principal } from '@switchyard/identity';
import type { CostSummaryKey } from './context';
import type { CostService } from './cost-service';
import type { CostSummary } from './cost-summary';

/**
 * Per-request loader for cost summaries: a platform admin's list of N tenants is one transaction
 * (the same as a list of 1); repeated asks in one request are free and one forbidden tenant fails alone.
 */
export function createCostSummaryLoader(service: CostService, principal: Principal): DataLoader<CostSummaryKey, CostSummary, string> {
  return new DataLoader<CostSummaryKey, CostSummary, string>((keys) => service.costSummaries(keys, principal), { cacheKeyFn: (key) => `${key.window}:${key.tenantId}` });
}
