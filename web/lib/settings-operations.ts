import { z } from 'zod';
import type { Operation } from './operations';

/**
 * The tenant settings page's GraphQL operations (tenants subgraph). Same shape as
 * `operations.ts`; listed in CONSOLE_OPERATIONS so they are validated and persisted with the rest.
 */
function operation<TData, TVariables>(name: string, document: string, data: z.ZodType<TData>): Operation<TData, TVariables> {
  return { name, document, data };
}

export const DATA_CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;
export type DataClassification = (typeof DATA_CLASSIFICATIONS)[number];

const quotaDefaultsSchema = z.object({ requestsPerMinute: z.number().int(), tokensPerMinute: z.number().int(), tokensPerDay: z.number().int() });
export type QuotaDefaults = z.infer<typeof quotaDefaultsSchema>;

const tenantSettingsSchema = z.object({
  allowedRegions: z.array(z.string()),
  defaultDataClassification: z.enum(DATA_CLASSIFICATIONS),
  quotas: z.object({ requestsPerMinute: z.number().int().nullable(), tokensPerMinute: z.number().int().nullable(), tokensPerDay: z.number().int().nullable() }),
});
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

const settingsViewerSchema = z.object({ roles: z.array(z.string()), tenantId: z.string().nullable() });
export type SettingsViewer = z.infer<typeof settingsViewerSchema>;

const SETTINGS_FIELDS = 'allowedRegions defaultDataClassification quotas { requestsPerMinute tokensPerMinute tokensPerDay }';

const tenantWithSettingsSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  settings: tenantSettingsSchema.extend({ quotas: tenantSettingsSchema.shape.quotas.extend({ platformDefaults: quotaDefaultsSchema }) }),
});
export type TenantWithSettings = z.infer<typeof tenantWithSettingsSchema>;

/** With the caller's roles, so the page can hide controls the API would refuse anyway. */
export const tenantSettingsQuery = operation<{ tenant: TenantWithSettings | null; viewer: SettingsViewer }, { slug: string }>(
  'ConsoleTenantSettings',
  `query ConsoleTenantSettings($slug: String!) {
  tenant(slug: $slug) {
    id slug name
    settings { allowedRegions defaultDataClassification quotas { requestsPerMinute tokensPerMinute tokensPerDay platformDefaults { requestsPerMinute tokensPerMinute tokensPerDay } } }
  }
  viewer { roles tenantId }
}`,
  z.object({ tenant: tenantWithSettingsSchema.nullable(), viewer: settingsViewerSchema }),
);

export interface UpdateTenantSettingsInput {
  tenantId: string;
  allowedRegions?: string[];
  defaultDataClassification?: DataClassification;
  quotas?: { requestsPerMinute?: number | null; tokensPerMinute?: number | null; tokensPerDay?: number | null };
}

export const updateTenantSettingsMutation = operation<{ updateTenantSettings: TenantSettings }, { input: UpdateTenantSettingsInput }>(
  'ConsoleUpdateTenantSettings',
  `mutation ConsoleUpdateTenantSettings($input: UpdateTenantSettingsInput!) { updateTenantSettings(input: $input) { ${SETTINGS_FIELDS} } }`,
  z.object({ updateTenantSettings: tenantSettingsSchema }),
);

export const SETTINGS_OPERATIONS = [tenantSettingsQuery, updateTenantSettingsMutation] as const;
