import type { DataClassification } from '@switchyard/db/tenant-settings';

/** Per-tenant quotas; null = the platform default. */
export interface TenantQuotas {
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  tokensPerDay: number | null;
}

/** The platform's limits for a tenant without overrides (the data plane's configured tenant limits). */
export interface QuotaDefaults {
  requestsPerMinute: number;
  tokensPerMinute: number;
  tokensPerDay: number;
}

export interface TenantSettingsRecord {
  tenantId: string;
  allowedRegions: string[];
  homeRegion: string | null;
  regionPinned: boolean;
  defaultDataClassification: DataClassification;
  quotas: TenantQuotas;
}

export const QUOTA_FIELDS = ['requestsPerMinute', 'tokensPerMinute', 'tokensPerDay'] as const satisfies readonly (keyof TenantQuotas)[];
