import { z } from 'zod';

/**
 * Pub/sub channel: key-only notification after usage for a tenant was written (the cost
 * subgraph's usage consumer publishes it; the gateway turns it into `costUpdated`).
 * Message: JSON `{ tenantId }`.
 */
export const COST_UPDATED_CHANNEL = 'switchyard:cost.updated';

export const costUpdatedMessageSchema = z.object({ tenantId: z.string().min(1).max(100) });
export type CostUpdatedMessage = z.output<typeof costUpdatedMessageSchema>;
