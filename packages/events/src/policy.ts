import { z } from 'zod';

/**
 * Pub/sub channel the policy subgraph publishes on after a tenant's active policy changed
 * (activation, rollback). Message: JSON `{ tenantId }` (key-only: readers reload from the database).
 */
export const POLICY_CHANGED_CHANNEL = 'switchyard:policy.changed';

export const policyChangedMessageSchema = z.object({ tenantId: z.string().min(1).max(100) });
export type PolicyChangedMessage = z.output<typeof policyChangedMessageSchema>;

export function policyChangedMessage(tenantId: string): string {
  return JSON.stringify({ tenantId } satisfies PolicyChangedMessage);
}
