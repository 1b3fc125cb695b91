import { z } from 'zod';

/**
 * Pub/sub channel the tenants subgraph publishes on after a tenant's provider credentials
 * changed (set, rotated, deleted). Message: JSON `{ tenantId }`, key-only: replicas reload the
 * tenant's credentials from the database; secrets never travel on the bus.
 */
export const PROVIDER_CREDENTIALS_CHANGED_CHANNEL = 'switchyard:provider-credentials.changed';

export const providerCredentialsChangedMessageSchema = z.object({ tenantId: z.string().min(1).max(100) });

export function providerCredentialsChangedMessage(tenantId: string): string {
  return JSON.stringify({ tenantId } satisfies z.output<typeof providerCredentialsChangedMessageSchema>);
}
