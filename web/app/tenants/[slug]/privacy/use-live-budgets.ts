'use client';

import { useEffect, useState } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import { dpBudgetChangedSubscription, dpBudgetsQuery, type DpBudget } from '../../../../lib/operations';
import { FALLBACK_POLL_MS, useLiveSubscription } from '../../../../lib/use-live-subscription';

/**
 * The tenant's privacy budgets, pushed by `dpBudgetChanged`; polled over HTTP while the socket
 * is down. `refresh()` re-reads over HTTP (after a local change, before the event arrives).
 */
export function useLiveBudgets(options: { wsUrl: string; tenantId: string; initialBudgets: DpBudget[] | null }) {
  const { wsUrl, tenantId } = options;
  const [budgets, setBudgets] = useState<DpBudget[] | null>(options.initialBudgets);

  const accept = (next: DpBudget[]) => {
    if (next.every((budget) => budget.tenantId === tenantId)) setBudgets(next);
  };

  const { live, status, error } = useLiveSubscription({
    wsUrl,
    operation: dpBudgetChangedSubscription,
    variables: { tenantId },
    variablesKey: tenantId,
    onData: (data) => accept(data.dpBudgetChanged),
  });

  const refresh = async () => {
    const result = await callConsoleApi(dpBudgetsQuery, { tenantId });
    if (result.ok) accept(result.data.dpBudgets);
  };

  useEffect(() => {
    if (live) return;
    const timer = setInterval(() => void refresh(), FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [live, tenantId]);

  return { budgets, status, error, refresh };
}
