import { z } from 'zod';

/**
 * Pub/sub channel the tenants subgraph publishes on after a tenant's settings changed (allowed
 * regions, default data classification, quotas). Message: JSON `{ tenantId }`, key-only:
 * replicas reload that tenant's settings from the database.
 */
export const TENANT_SETTINGS_CHANGED_CHANNEL = 'switchyard:tenant-settings.changed';

export const tenantSettingsChangedMessageSchema = z.object({ tenantId: z.string().min(1).max(100) });

export function tenantSettingsChangedMessage(tenantId: string): string {
  return JSON.stringify({ tenantId } satisfies z.output<typeof tenantSettingsChangedMessageSchema>);
}
