import { z } from 'zod';

/**
 * Pub/sub channel the cost optimizer publishes on after it wrote a tenant's bandit priors (new
 * canary, promotion, discard). Message: JSON `{ tenantId }`, key-only: each data-plane replica
 * reloads that tenant's priors from the database.
 */
export const BANDIT_PRIORS_CHANGED_CHANNEL = 'switchyard:bandit-priors.changed';

export const banditPriorsChangedMessageSchema = z.object({ tenantId: z.string().min(1).max(100) });
export type BanditPriorsChangedMessage = z.output<typeof banditPriorsChangedMessageSchema>;

export function banditPriorsChangedMessage(tenantId: string): string {
  return JSON.stringify({ tenantId } satisfies BanditPriorsChangedMessage);
}

/**
 * Pub/sub channel: a run of the optimizer was asked for (GraphQL `runCostOptimizer`). Message:
 * JSON `{ tenantId }`; every optimizer process runs that tenant (runs are idempotent per snapshot).
 */
export const OPTIMIZER_RUN_REQUESTED_CHANNEL = 'switchyard:optimizer.run-requested';
export const optimizerRunRequestedMessageSchema = z.object({ tenantId: z.string().uuid() });

/**
 * Pub/sub channel: key-only notification after the optimizer wrote a tenant's savings (the
 * gateway turns it into `savingsUpdated`). Message: JSON `{ tenantId }`.
 */
export const SAVINGS_UPDATED_CHANNEL = 'switchyard:savings.updated';
export const savingsUpdatedMessageSchema = z.object({ tenantId: z.string().min(1).max(100) });
