import { z } from 'zod';
import type { Database } from '@switchyard/db';
import type { Principal } from '@switchyard/identity';
import { canReadTenantCost } from './authorization';
import { bucketSecondsOf, COST_WINDOWS, summarizeCost, windowBuckets } from './cost-summary';
import type { CostSummary, CostWindow } from './cost-summary';
import { createCostStore } from './cost-store';
import { forbidden } from './errors';
import { parseInput } from './parse-input';

/** Authorization and coordination for reading cost. */
export interface CostService {
  costSummary(tenantId: string, window: CostWindow, principal: Principal): Promise<CostSummary>;
  /**
   * Batch form for the per-request DataLoader: one entry per key (an Error where the key is invalid
   * or not the caller's to read). A platform admin's keys of one window are read in one transaction.
   */
  costSummaries(keys: ReadonlyArray<{ tenantId: string; window: CostWindow }>, principal: Principal): Promise<Array<CostSummary | Error>>;
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

  const costSummary: CostService['costSummary'] = async (tenantId, window, principal) => {
    const validTenantId = parseInput(tenantIdSchema, tenantId, 'tenantId');
    const validWindow = parseInput(windowSchema, window, 'window');
    if (!canReadTenantCost(principal, validTenantId)) throw forbidden("You may only read your own tenant's cost.");
    const at = now();
    const { first, last } = windowBuckets(validWindow, at);
    const rows = await store.listRollups(validTenantId, first, last, bucketSecondsOf(validWindow));
    return summarizeCost(validTenantId, validWindow, at, rows.client, rows.shadow);
  };

  return {
    costSummary,

    async costSummaries(keys, principal) {
      const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));
      // A tenant's caller reads at most its own tenant: one key at a time is already one transaction.
      if (!principal.roles.includes('platform_admin') || keys.length === 1) {
        return Promise.all(keys.map((key) => costSummary(key.tenantId, key.window, principal).catch(asError)));
      }
      const results: Array<CostSummary | Error> = new Array<CostSummary | Error>(keys.length);
      const byWindow = new Map<CostWindow, number[]>();
      keys.forEach((key, index) => {
        try {
          parseInput(tenantIdSchema, key.tenantId, 'tenantId');
          const window = parseInput(windowSchema, key.window, 'window');
          byWindow.set(window, [...(byWindow.get(window) ?? []), index]);
        } catch (error) {
          results[index] = asError(error);
        }
      });
      const at = now();
      await Promise.all(
        [...byWindow].map(async ([window, indexes]) => {
          const { first, last } = windowBuckets(window, at);
          const tenantIds = [...new Set(indexes.map((index) => (keys[index] as { tenantId: string }).tenantId))];
          try {
            const rows = await store.listRollupsOfTenants(tenantIds, first, last, bucketSecondsOf(window));
            for (const index of indexes) {
              const tenantId = (keys[index] as { tenantId: string }).tenantId;
              const own = rows.get(tenantId) ?? { client: [], shadow: [] };
              results[index] = summarizeCost(tenantId, window, at, own.client, own.shadow);
            }
          } catch (error) {
            for (const index of indexes) results[index] = asError(error);
          }
        }),
      );
      return results;
    },
  };
}
