import { REQUEST_LOG_RETENTION_DAYS } from '@switchyard/db/tenant-settings';
import type { TenantsContext } from '../context';
import { notFound } from '../errors';
import type { Member } from '../member-types';
import type { AlertWebhook, ProviderCredential } from '../secret-types';
import type { QuotaDefaults, TenantQuotas, TenantSettingsRecord } from '../settings-types';
import type { ApiKey, Tenant } from '../tenant-types';

/** Federation entities; references outside the caller's reach resolve to null. */
export const tenantResolvers = {
  __resolveReference: (reference: { id: string }, { loaders }: TenantsContext): Promise<Tenant | null> => loaders.tenantById.load(reference.id),
  apiKeys: (tenant: Tenant, _args: unknown, { loaders }: TenantsContext): Promise<ApiKey[]> => loaders.apiKeysByTenantId.load(tenant.id),
  members: (tenant: Tenant, _args: unknown, { loaders }: TenantsContext): Promise<Member[]> => loaders.membersByTenantId.load(tenant.id),
  providerCredentials: (tenant: Tenant, _args: unknown, { secrets, principal }: TenantsContext): Promise<ProviderCredential[]> =>
    secrets.listProviderCredentials(tenant.id, principal),
  alertWebhook: (tenant: Tenant, _args: unknown, { secrets, principal }: TenantsContext): Promise<AlertWebhook | null> => secrets.alertWebhook(tenant.id, principal),
  settings: (tenant: Tenant, _args: unknown, { settings, principal }: TenantsContext): Promise<TenantSettingsRecord> => settings.settings(tenant.id, principal),
};

export const tenantSettingsResolvers = {
  // Derived, not stored: the request-log writer expires by the same table.
  requestLogRetentionDays: (settings: TenantSettingsRecord): number => REQUEST_LOG_RETENTION_DAYS[settings.defaultDataClassification],
};

export const tenantQuotasResolvers = {
  platformDefaults: (_quotas: TenantQuotas, _args: unknown, { settings }: TenantsContext): QuotaDefaults => settings.quotaDefaults,
};

export const apiKeyResolvers = {
  __resolveReference: (reference: { id: string }, { loaders }: TenantsContext): Promise<ApiKey | null> => loaders.apiKeyById.load(reference.id),
  tenant: async (apiKey: ApiKey, _args: unknown, { loaders }: TenantsContext): Promise<Tenant> => {
    const tenant = await loaders.tenantById.load(apiKey.tenantId);
    if (!tenant) throw notFound(`Tenant ${apiKey.tenantId} is not visible to you.`);
    return tenant;
  },
};

export const memberResolvers = {
  tenant: async (member: Member, _args: unknown, { loaders }: TenantsContext): Promise<Tenant> => {
    const tenant = await loaders.tenantById.load(member.tenantId);
    if (!tenant) throw notFound(`Tenant ${member.tenantId} is not visible to you.`);
    return tenant;
  },
};
