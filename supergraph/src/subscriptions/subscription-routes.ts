import { COST_UPDATED_CHANNEL } from '@switchyard/events/cost';
import { DP_BUDGET_CHANGED_CHANNEL } from '@switchyard/events/dp';
import { AUDIT_APPENDED_CHANNEL } from '@switchyard/events/audit';
import { SAVINGS_UPDATED_CHANNEL } from '@switchyard/events/optimizer';
import { EXPERIMENT_UPDATED_CHANNEL } from '@switchyard/events/routing';
import { SLO_CHANGED_CHANNEL } from '@switchyard/events/slo';
import { REQUEST_LOG_WRITTEN_CHANNEL } from '@switchyard/events/request-log';
import { z } from 'zod';

/**
 * How a subscription field is served (DESIGN.md §4): which key-only bus events concern it, and
 * which query returns the state to push. A new subscription is one entry here.
 */
export interface SubscriptionRoute {
  /** Bus channel carrying key-only change events. */
  channel: string;
  /** Query field with the same arguments and result type; run with the client's selection set. */
  queryField: string;
  /** The key an event is about, or null for a message that is not a valid event. */
  eventKey(message: string): string | null;
  /** The key a subscription with these (coerced) arguments listens for. */
  subscriptionKey(args: Readonly<Record<string, unknown>>): string;
}

const tenantEvent = z.object({ tenantId: z.string().min(1) });

function tenantEventKey(message: string): string | null {
  try {
    const parsed = tenantEvent.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data.tenantId : null;
  } catch {
    return null;
  }
}

const byTenantArgument = (args: Readonly<Record<string, unknown>>): string => String(args['tenantId']);

export const SUBSCRIPTION_ROUTES: Readonly<Record<string, SubscriptionRoute>> = {
  costUpdated: { channel: COST_UPDATED_CHANNEL, queryField: 'costSummary', eventKey: tenantEventKey, subscriptionKey: byTenantArgument },
  dpBudgetChanged: { channel: DP_BUDGET_CHANGED_CHANNEL, queryField: 'dpBudgets', eventKey: tenantEventKey, subscriptionKey: byTenantArgument },
  savingsUpdated: { channel: SAVINGS_UPDATED_CHANNEL, queryField: 'savings', eventKey: tenantEventKey, subscriptionKey: byTenantArgument },
  auditAppended: { channel: AUDIT_APPENDED_CHANNEL, queryField: 'latestAuditEntry', eventKey: tenantEventKey, subscriptionKey: byTenantArgument },
  experimentUpdated: { channel: EXPERIMENT_UPDATED_CHANNEL, queryField: 'experiments', eventKey: tenantEventKey, subscriptionKey: byTenantArgument },
  requestLogUpdated: { channel: REQUEST_LOG_WRITTEN_CHANNEL, queryField: 'latestRequests', eventKey: tenantEventKey, subscriptionKey: byTenantArgument },
  slosUpdated: { channel: SLO_CHANGED_CHANNEL, queryField: 'sloOverview', eventKey: tenantEventKey, subscriptionKey: byTenantArgument },
};
