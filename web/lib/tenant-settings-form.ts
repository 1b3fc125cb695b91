import type { DataClassification, QuotaDefaults, SettingsViewer, TenantSettings, UpdateTenantSettingsInput } from './settings-operations';

/**
 * What the tenant settings page may offer the signed-in person. Mirrors the tenants subgraph's
 * rule only to hide controls (the API enforces it regardless): tenant admins of this tenant and
 * platform admins edit; a quota above the platform default takes a platform admin.
 */
export type SettingsAccess = { canEdit: true; canRaiseQuotas: boolean } | { canEdit: false; reason: string };

export function settingsAccess(viewer: SettingsViewer, tenantId: string): SettingsAccess {
  if (viewer.roles.includes('platform_admin')) return { canEdit: true, canRaiseQuotas: true };
  if (viewer.tenantId === tenantId && viewer.roles.includes('tenant_admin')) return { canEdit: true, canRaiseQuotas: false };
  const role = viewer.tenantId === tenantId ? viewer.roles[0] : undefined;
  return {
    canEdit: false,
    reason: `You are signed in as ${role ? `a ${role.replace('_', ' ')}` : 'someone without a role'} of this tenant: you can see these settings, but only a tenant admin (or a platform admin) can change them.`,
  };
}

export interface SettingsFormValues {
  regions: string;
  classification: DataClassification;
  requestsPerMinute: string;
  tokensPerMinute: string;
  tokensPerDay: string;
}

const REGION = /^[A-Za-z0-9_.:-]{1,64}$/;
const QUOTA_LABELS = { requestsPerMinute: 'Requests per minute', tokensPerMinute: 'Tokens per minute', tokensPerDay: 'Tokens per day' } as const;
const MAX_QUOTA = 2_147_483_647;

export type SettingsFormResult = { ok: true; input: UpdateTenantSettingsInput } | { ok: false; field: keyof SettingsFormValues; message: string };

/**
 * The form's text fields as the mutation's input: regions separated by commas, spaces or lines
 * (empty = any region); an empty quota = the platform default. Checks what the API would refuse,
 * so the person sees it next to the field before a round trip. A quota a platform admin set above
 * the default may be kept as it is by a tenant admin (only changing it upwards is refused).
 */
export function settingsInputFrom(
  tenantId: string,
  values: SettingsFormValues,
  defaults: QuotaDefaults,
  canRaiseQuotas: boolean,
  current: TenantSettings['quotas'] = { requestsPerMinute: null, tokensPerMinute: null, tokensPerDay: null },
): SettingsFormResult {
  const regions = [...new Set(values.regions.split(/[\s,]+/).filter((region) => region !== ''))];
  const badRegion = regions.find((region) => !REGION.test(region));
  if (badRegion !== undefined) return { ok: false, field: 'regions', message: `“${badRegion.slice(0, 70)}” is not a region name: use letters, digits, '.', ':', '-' or '_' (e.g. eu-west-1).` };
  if (regions.length > 32) return { ok: false, field: 'regions', message: 'List at most 32 regions.' };
  const quotas: NonNullable<UpdateTenantSettingsInput['quotas']> = {};
  for (const field of ['requestsPerMinute', 'tokensPerMinute', 'tokensPerDay'] as const) {
    const text = values[field].trim().replace(/[_,\s]/g, '');
    if (text === '') {
      quotas[field] = null;
      continue;
    }
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value <= 0 || value > MAX_QUOTA) {
      return { ok: false, field, message: `${QUOTA_LABELS[field]}: enter a positive whole number, or leave it empty for the platform default.` };
    }
    if (!canRaiseQuotas && value > defaults[field] && value !== current[field]) {
      return { ok: false, field, message: `${QUOTA_LABELS[field]}: at most the platform default (${defaults[field].toLocaleString('en-US')}); only a platform admin may set more.` };
    }
    quotas[field] = value;
  }
  return { ok: true, input: { tenantId, allowedRegions: regions, defaultDataClassification: values.classification, quotas } };
}
