import { DATA_CLASSIFICATIONS, isDataClassification, type DataClassification, type TenantSettings } from '@switchyard/db/tenant-settings';

/** How the data plane applies a tenant's settings (their stored shape: `@switchyard/db/tenant-settings`) to a request. */

/** The stricter of two classifications. */
export function stricterClassification(a: DataClassification, b: DataClassification): DataClassification {
  return DATA_CLASSIFICATIONS.indexOf(a) >= DATA_CLASSIFICATIONS.indexOf(b) ? a : b;
}

/**
 * The classification a request is processed under: the tenant's default, raised (never lowered)
 * by the `x-switchyard-data-classification` header. A header naming something else is ignored,
 * so a client can never declare its data less sensitive than its tenant says it is.
 */
export function effectiveDataClassification(tenantDefault: DataClassification, requested: string | undefined): DataClassification {
  if (requested === undefined || !isDataClassification(requested)) return tenantDefault;
  return stricterClassification(tenantDefault, requested);
}

/** Whether an upstream in `region` may process the tenant's data (empty list = any region). */
export function regionAllowed(settings: Pick<TenantSettings, 'allowedRegions'>, region: string): boolean {
  return settings.allowedRegions.length === 0 || settings.allowedRegions.includes(region);
}
