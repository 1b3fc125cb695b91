import { z } from 'zod';

/** Data classifications, least to most sensitive: the order decides which of two is stricter. */
export const DATA_CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;
export type DataClassification = (typeof DATA_CLASSIFICATIONS)[number];

export const DEFAULT_DATA_CLASSIFICATION: DataClassification = 'internal';

/** Region names as providers are configured with them (`DATA_PLANE_PROVIDERS` `region`). */
export const REGION_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** At most this many allowed regions per tenant (CHECK in the database as well). */
export const MAX_ALLOWED_REGIONS = 32;

/**
 * What the data plane applies per tenant. `allowedRegions` empty = any region; a quota null =
 * the platform's limit for tenants (limits-config.ts).
 */
export interface TenantSettings {
  allowedRegions: readonly string[];
  defaultDataClassification: DataClassification;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  tokensPerDay: number | null;
}

/** A tenant nobody configured: any region, `internal`, platform quotas. */
export const DEFAULT_TENANT_SETTINGS: TenantSettings = Object.freeze({
  allowedRegions: Object.freeze([]) as readonly string[],
  defaultDataClassification: DEFAULT_DATA_CLASSIFICATION,
  requestsPerMinute: null,
  tokensPerMinute: null,
  tokensPerDay: null,
});

export const dataClassificationSchema = z.enum(DATA_CLASSIFICATIONS);

export function isDataClassification(value: string): value is DataClassification {
  return (DATA_CLASSIFICATIONS as readonly string[]).includes(value);
}

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
