import { z } from 'zod';

/**
 * Pub/sub channel: a dp budget changed (created, reserved, committed, released, expired).
 * Message: key-only JSON `{ tenantId, budgetId, thresholdCrossed, crossedThresholds }`.
 */
export const DP_BUDGET_CHANGED_CHANNEL = 'switchyard:dp.budget-changed';

export const dpBudgetChangedEventSchema = z.object({
  tenantId: z.string().min(1).max(100),
  budgetId: z.string().min(1).max(100),
  /** True when this change pushed the budget's use past one of its alert thresholds. */
  thresholdCrossed: z.boolean(),
  /** The thresholds (percent of the cap) crossed by this change, ascending. */
  crossedThresholds: z.array(z.number().int().min(1).max(100)).max(100),
});
export type DpBudgetChangedEvent = z.output<typeof dpBudgetChangedEventSchema>;
