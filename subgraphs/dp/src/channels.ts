/**
 * Pub/sub channel: a dp budget changed (created, reserved, committed, released, expired).
 * Message: key-only JSON `{ tenantId, budgetId, thresholdCrossed }`.
 */
export const DP_BUDGET_CHANGED_CHANNEL = 'switchyard:dp.budget-changed';

export interface DpBudgetChangedEvent {
  tenantId: string;
  budgetId: string;
  /** True when this change pushed the budget's use past one of its alert thresholds. */
  thresholdCrossed: boolean;
  /** The thresholds (percent of the cap) crossed by this change, ascending. */
  crossedThresholds: number[];
}
