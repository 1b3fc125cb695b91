// @switchyard/data-plane/tenant-settings: allowed regions, default data classification and quota overrides per tenant.
export { createStaticTenantSettings, createTenantSettingsCache } from './settings-cache';
export type { TenantSettingsCache, TenantSettingsCacheOptions, TenantSettingsLookup, TenantSettingsSource } from './settings-cache';
export { createDatabaseTenantSettingsSource } from './database-settings-source';
export {
  DATA_CLASSIFICATIONS,
  DEFAULT_DATA_CLASSIFICATION,
  DEFAULT_TENANT_SETTINGS,
  MAX_ALLOWED_REGIONS,
  REGION_PATTERN,
  dataClassificationSchema,
  effectiveDataClassification,
  isDataClassification,
  regionAllowed,
  stricterClassification,
} from './tenant-settings';
export type { DataClassification, TenantSettings } from './tenant-settings';
