import { z } from 'zod';
import { MAX_ALLOWED_REGIONS, REGION_PATTERN, dataClassificationSchema } from '@switchyard/db/tenant-settings';
import { idSchema } from './tenant-inputs';

const regionSchema = z.string().regex(REGION_PATTERN, "Use a region name as providers are configured: 1-64 letters, digits, '.', ':', '-' or '_' (e.g. eu-west-1).");

/** Positive and within Postgres `integer`; null = the platform default. */
const quotaSchema = z.number().int('Must be a whole number.').positive('Must be positive (null = the platform default).').max(2_147_483_647, 'Must be at most 2147483647.').nullable();

export const updateTenantSettingsInputSchema = z.object({
  tenantId: idSchema,
  allowedRegions: z
    .array(regionSchema)
    .max(MAX_ALLOWED_REGIONS, `List at most ${MAX_ALLOWED_REGIONS} regions.`)
    .transform((regions) => [...new Set(regions)])
    .optional(),
  homeRegion: regionSchema.nullable().optional(),
  regionPinned: z.boolean().optional(),
  defaultDataClassification: dataClassificationSchema.optional(),
  quotas: z.object({ requestsPerMinute: quotaSchema.optional(), tokensPerMinute: quotaSchema.optional(), tokensPerDay: quotaSchema.optional() }).optional(),
});

export type ValidUpdateTenantSettingsInput = z.output<typeof updateTenantSettingsInputSchema>;

/** What callers send; omitted = unchanged, a quota of null = back to the platform default. */
export interface UpdateTenantSettingsInput {
  tenantId: string;
  allowedRegions?: string[] | null | undefined;
  homeRegion?: string | null | undefined;
  regionPinned?: boolean | null | undefined;
  defaultDataClassification?: string | null | undefined;
  quotas?: { requestsPerMinute?: number | null | undefined; tokensPerMinute?: number | null | undefined; tokensPerDay?: number | null | undefined } | null | undefined;
}
