import { z } from 'zod';

/**
 * Channels of the tenants domain: the tenants subgraph publishes after a tenant's API keys,
 * members, settings or provider credentials changed; every reader keeps a cache and evicts or
 * reloads on these key-only messages (the data itself never travels on the bus).
 */

const tenantKeySchema = z.object({ tenantId: z.string().min(1).max(100) });

/** Pub/sub channel: an API key was revoked or changed. Message: JSON `{ keyHash }`. */
export const API_KEY_CHANGED_CHANNEL = 'switchyard:api-key.changed';

export const apiKeyChangedMessageSchema = z.object({ keyHash: z.string().min(1).max(200) });
export type ApiKeyChangedMessage = z.output<typeof apiKeyChangedMessageSchema>;

/**
 * Pub/sub channel: a tenant's members changed (added, role changed, removed). Message: JSON
 * `{ tenantId }`; membership directories clear their whole cache on any message.
 */
export const MEMBER_CHANGED_CHANNEL = 'switchyard:member.changed';

export const memberChangedMessageSchema = tenantKeySchema;
export type MemberChangedMessage = z.output<typeof memberChangedMessageSchema>;

/**
 * Pub/sub channel the tenants subgraph publishes on after a tenant's settings changed (allowed
 * regions, default data classification, quotas). Message: JSON `{ tenantId }`, key-only:
 * replicas reload that tenant's settings from the database.
 */
export const TENANT_SETTINGS_CHANGED_CHANNEL = 'switchyard:tenant-settings.changed';

export const tenantSettingsChangedMessageSchema = tenantKeySchema;
export type TenantSettingsChangedMessage = z.output<typeof tenantSettingsChangedMessageSchema>;

export function tenantSettingsChangedMessage(tenantId: string): string {
  return JSON.stringify({ tenantId } satisfies TenantSettingsChangedMessage);
}

/**
 * Pub/sub channel the tenants subgraph publishes on after a tenant's provider credentials
 * changed (set, rotated, deleted). Message: JSON `{ tenantId }`, key-only: replicas reload the
 * tenant's credentials from the database; secrets never travel on the bus.
 */
export const PROVIDER_CREDENTIALS_CHANGED_CHANNEL = 'switchyard:provider-credentials.changed';

export const providerCredentialsChangedMessageSchema = tenantKeySchema;
export type ProviderCredentialsChangedMessage = z.output<typeof providerCredentialsChangedMessageSchema>;

export function providerCredentialsChangedMessage(tenantId: string): string {
  return JSON.stringify({ tenantId } satisfies ProviderCredentialsChangedMessage);
}
