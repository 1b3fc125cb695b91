import type { Database } from '@switchyard/db';
import type { TenantSettingsSource } from './settings-cache';
import { DEFAULT_DATA_CLASSIFICATION, isDataClassification, type TenantSettings } from './tenant-settings';

const select = { id: true, allowedRegions: true, defaultDataClassification: true, requestsPerMinute: true, tokensPerMinute: true, tokensPerDay: true } as const;

interface Row {
  id: string;
  allowedRegions: string[];
  defaultDataClassification: string;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  tokensPerDay: number | null;
}

function toSettings(row: Row): TenantSettings {
  return {
    allowedRegions: Object.freeze([...row.allowedRegions]),
    // The database CHECK keeps this in the enum; the fallback only guards a future widening.
    defaultDataClassification: isDataClassification(row.defaultDataClassification) ? row.defaultDataClassification : DEFAULT_DATA_CLASSIFICATION,
    requestsPerMinute: row.requestsPerMinute,
    tokensPerMinute: row.tokensPerMinute,
    tokensPerDay: row.tokensPerDay,
  };
}

/** Tenant settings from the tenants table (platform scope: the data plane serves every tenant). */
export function createDatabaseTenantSettingsSource(db: Pick<Database, 'withPlatform'>): TenantSettingsSource {
  return {
    async loadAll() {
      const rows = await db.withPlatform((tx) => tx.tenant.findMany({ select }));
      return new Map(rows.map((row) => [row.id, toSettings(row)]));
    },
    async load(tenantId) {
      const row = await db.withPlatform((tx) => tx.tenant.findUnique({ where: { id: tenantId }, select }));
      return row ? toSettings(row) : null;
    },
  };
}
