import type { Database, TenantTx } from '@switchyard/db';
import { TENANT_SETTINGS_SELECT as select, tenantSettingsOf, type TenantSettingsRow } from '@switchyard/db/tenant-settings';
import type { AccessScope } from './authorization';
import type { TenantSettingsRecord } from './settings-types';

/** The row read as the data plane reads it (`tenantSettingsOf`), shaped for this subgraph's API. */
function toRecord(row: TenantSettingsRow): TenantSettingsRecord {
  const settings = tenantSettingsOf(row);
  return {
    tenantId: row.id,
    allowedRegions: [...settings.allowedRegions],
    homeRegion: settings.homeRegion,
    regionPinned: settings.regionPinned,
    defaultDataClassification: settings.defaultDataClassification,
    quotas: { requestsPerMinute: settings.requestsPerMinute, tokensPerMinute: settings.tokensPerMinute, tokensPerDay: settings.tokensPerDay },
  };
}

export type SettingsChange = Partial<Omit<TenantSettingsRecord, 'tenantId' | 'quotas'>> & { quotas?: Partial<TenantSettingsRecord['quotas']> };

/** The only code touching the settings columns of `tenants`; scoped like every query of this subgraph. */
export interface SettingsStore {
  find(scope: AccessScope, tenantId: string): Promise<TenantSettingsRecord | null>;
  /**
   * Locks the tenant's row, hands its current settings to `decide` (which may throw to refuse)
   * and writes what it returns, in one transaction: concurrent updates apply one after the other.
   * Null when the tenant is not visible in scope.
   */
  update(scope: AccessScope, tenantId: string, decide: (current: TenantSettingsRecord) => SettingsChange): Promise<{ before: TenantSettingsRecord; after: TenantSettingsRecord } | null>;
}

export function createSettingsStore(db: Database): SettingsStore {
  function run<T>(scope: AccessScope, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
    return scope.kind === 'platform' ? db.withPlatform(fn) : db.withTenant(scope.tenantId, fn);
  }
  return {
    async find(scope, tenantId) {
      if (scope.kind === 'tenant' && scope.tenantId !== tenantId) return null;
      const row = await run(scope, (tx) => tx.tenant.findUnique({ where: { id: tenantId }, select }));
      return row ? toRecord(row) : null;
    },
    async update(scope, tenantId, decide) {
      if (scope.kind === 'tenant' && scope.tenantId !== tenantId) return null;
      return run(scope, async (tx) => {
        await tx.$queryRaw`SELECT 1 FROM "tenants" WHERE "id" = ${tenantId}::uuid FOR UPDATE`;
        const row = await tx.tenant.findUnique({ where: { id: tenantId }, select });
        if (!row) return null;
        const before = toRecord(row);
        const change = decide(before);
        const updated = await tx.tenant.update({
          where: { id: tenantId },
          data: {
            ...(change.allowedRegions !== undefined ? { allowedRegions: change.allowedRegions } : {}),
            ...(change.homeRegion !== undefined ? { homeRegion: change.homeRegion } : {}),
            ...(change.regionPinned !== undefined ? { regionPinned: change.regionPinned } : {}),
            ...(change.defaultDataClassification !== undefined ? { defaultDataClassification: change.defaultDataClassification } : {}),
            ...(change.quotas ?? {}),
          },
          select,
        });
        return { before, after: toRecord(updated) };
      });
    },
  };
}
