import type { Database } from '@switchyard/db';
import { TENANT_SETTINGS_SELECT, tenantSettingsOf } from '@switchyard/db/tenant-settings';
import type { TenantSettingsSource } from './settings-cache';

/** Tenant settings from the tenants table (platform scope: the data plane serves every tenant). */
export function createDatabaseTenantSettingsSource(db: Pick<Database, 'withPlatform'>): TenantSettingsSource {
  return {
    async loadAll() {
      const rows = await db.withPlatform((tx) => tx.tenant.findMany({ select: TENANT_SETTINGS_SELECT }));
      return new Map(rows.map((row) => [row.id, tenantSettingsOf(row)]));
    },
    async load(tenantId) {
      const row = await db.withPlatform((tx) => tx.tenant.findUnique({ where: { id: tenantId }, select: TENANT_SETTINGS_SELECT }));
      return row ? tenantSettingsOf(row) : null;
    },
  };
}
