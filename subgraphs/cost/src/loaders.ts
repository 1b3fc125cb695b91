import DataLoader from 'dataloader';
import type { Principal } from '@switchyard/identity';
import type { CostSummaryKey } from './context';
import type { CostService } from './cost-service';
import type { CostSummary } from './cost-summary';

/**
 * Per-request loader for cost summaries. Each tenant is read in its own row-level-security
 * scope, so a batch fans out to one query per tenant (run concurrently); the loader makes
 * repeated asks in one request free and lets one forbidden tenant fail alone.
 */
export function createCostSummaryLoader(service: CostService, principal: Principal): DataLoader<CostSummaryKey, CostSummary, string> {
  return new DataLoader<CostSummaryKey, CostSummary, string>(
    (keys) =>
      Promise.all(
        keys.map((key) => service.costSummary(key.tenantId, key.window, principal).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))),
      ),
    { cacheKeyFn: (key) => `${key.window}:${key.tenantId}` },
  );
}
