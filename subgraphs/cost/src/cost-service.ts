import { z } from 'zod';
import type { Database } from '@switchyard/db';
import type { Principal } from '@switchyard/identity';
import { canReadTenantCost } from './authorization';
import { COST_WINDOWS, summarizeCost, windowBuckets } from './cost-summary';
import type { CostSummary, CostWindow } from './cost-summary';
import { createCostStore } from './cost-store';
import { forbidden } from './errors';
import { parseInput } from './parse-input';

/** Authorization and coordination for reading cost. */
export interface CostService {
  costSummary(tenantId: string, window: CostWindow, principal: Principal): Promise<CostSummary>;
}

export interface CostServiceDeps {
  db: Database;
  /** Injectable clock for tests. */
  now?: () => Date;
}

const tenantIdSchema = z.string().uuid('Must be a tenant id (UUID).');
const windowSchema = z.enum(COST_WINDOWS);

export function createCostService(deps: CostServiceDeps): CostService {
  const store = createCostStore(deps.db);
  const now = deps.now ?? (() => new Date());

  return {
    async costSummary(tenantId, window, principal) {
      const validTenantId = parseInput(tenantIdSchema, tenantId, 'tenantId');
      const validWindow = parseInput(windowSchema, window, 'window');
      if (!canReadTenantCost(principal, validTenantId)) throw forbidden("You may only read your own tenant's cost.");
      const at = now();
      const { first, last } = windowBuckets(validWindow, at);
      const rows = await store.listRollups(validTenantId, first, last);
      return summarizeCost(validTenantId, validWindow, at, rows.client, rows.shadow);
    },
  };
}
