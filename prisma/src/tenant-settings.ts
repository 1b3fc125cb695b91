import { z } from 'zod';

/**
 * @switchyard/db/tenant-settings: a tenant's settings as the `tenants` table stores them (allowed
 * regions, home region and its pin, default data classification, quota overrides) — the contract between the tenants
 * subgraph, which writes them, and the data plane, which applies them. The CHECK constraints of
 * the tenant_settings migration hold the same values; the columns' defaults are
 * {@link DEFAULT_TENANT_SETTINGS}. Pure: no Prisma client behind this entry.
 */

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
 * the platform's limit for tenants (the data plane's limits configuration).
 */
export interface TenantSettings {
  allowedRegions: readonly string[];
  /** The region whose stores hold the tenant's data (issue 14); null = unassigned. */
  homeRegion: string | null;
  /** Data locality: only data planes of `homeRegion` may serve the tenant (a CHECK needs a home region). */
  regionPinned: boolean;
  defaultDataClassification: DataClassification;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  tokensPerDay: number | null;
}

/** A tenant nobody configured: any region, no home region, `internal`, platform quotas. */
export const DEFAULT_TENANT_SETTINGS: TenantSettings = Object.freeze({
  allowedRegions: Object.freeze([]) as readonly string[],
  homeRegion: null,
  regionPinned: false,
  defaultDataClassification: DEFAULT_DATA_CLASSIFICATION,
  requestsPerMinute: null,
  tokensPerMinute: null,
  tokensPerDay: null,
});

/**
 * Days a tenant's request log is kept, by its default data classification: the more sensitive
 * what flows through, the shorter the metadata about it lives (public 90, internal 30,
 * confidential 14, restricted 7). Passed to `switchyard_request_log_expire`, so this is the only copy.
 */
export const REQUEST_LOG_RETENTION_DAYS: Readonly<Record<DataClassification, number>> = Object.freeze({
  public: 90,
  internal: 30,
  confidential: 14,
  restricted: 7,
});

/**
 * Days the memory fabric keeps what a tenant stored (session documents, and the session window's
 * snapshots and vector memories when they plug in), counted from the item's last write, by the
 * item's data classification (or the tenant's current default when that is stricter): public 365,
 * internal 90, confidential 30, restricted 7. The one copy every memory store's sweep is given.
 */
export const MEMORY_RETENTION_DAYS: Readonly<Record<DataClassification, number>> = Object.freeze({
  public: 365,
  internal: 90,
  confidential: 30,
  restricted: 7,
});

export const dataClassificationSchema = z.enum(DATA_CLASSIFICATIONS);

export function isDataClassification(value: string): value is DataClassification {
  return (DATA_CLASSIFICATIONS as readonly string[]).includes(value);
}

/** The columns of `tenants` that hold its settings (with its id), as a Prisma `select`. */
export const TENANT_SETTINGS_SELECT = {
  id: true,
  allowedRegions: true,
  homeRegion: true,
  regionPinned: true,
  defaultDataClassification: true,
  requestsPerMinute: true,
  tokensPerMinute: true,
  tokensPerDay: true,
} as const;

/** A `tenants` row read with {@link TENANT_SETTINGS_SELECT}. */
export interface TenantSettingsRow {
  id: string;
  allowedRegions: string[];
  homeRegion: string | null;
  regionPinned: boolean;
  defaultDataClassification: string;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  tokensPerDay: number | null;
}

/** The settings a row holds, read the same way by their writer and their reader. */
export function tenantSettingsOf(row: TenantSettingsRow): TenantSettings {
  return {
    allowedRegions: Object.freeze([...row.allowedRegions]),
    homeRegion: row.homeRegion,
    // The CHECK forbids a pin without a home; read defensively all the same.
    regionPinned: row.regionPinned && row.homeRegion !== null,
    // The database CHECK keeps this in the enum; the fallback only guards a future widening.
    defaultDataClassification: isDataClassification(row.defaultDataClassification) ? row.defaultDataClassification : DEFAULT_DATA_CLASSIFICATION,
    requestsPerMinute: row.requestsPerMinute,
    tokensPerMinute: row.tokensPerMinute,
    tokensPerDay: row.tokensPerDay,
  };
}

/**
 * Whether a data plane of `servingRegion` may serve the tenant (its data-locality rule): a tenant
 * pinned to its home region only there. A data plane without a region name (one-region
 * deployments, `SWITCHYARD_REGION` unset) is not region-aware and serves everyone.
 */
export function mayServeInRegion(settings: Pick<TenantSettings, 'homeRegion' | 'regionPinned'>, servingRegion: string | undefined): boolean {
  if (servingRegion === undefined || !settings.regionPinned) return true;
  return settings.homeRegion === servingRegion;
}
