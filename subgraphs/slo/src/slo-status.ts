import { DEFAULT_WINDOW_PAIRS, errorBudget, evaluateBurn, throttleRelieves, windowsOf, type AlertState, type BurnEvaluation, type Counts, type SloDefinition, type WindowPair } from '@switchyard/slo';
import { sloSeries, type SliCounters } from '@switchyard/slo/counters';

export interface SloStatus {
  sli: number | null;
  errorBudgetRemaining: number;
  goodRequests: number;
  totalRequests: number;
  evaluation: BurnEvaluation;
  alertState: AlertState;
  throttled: boolean;
  evaluatedAt: Date;
}

/** Every window the status of an SLO needs: the pairs' and the SLO's own. */
export function statusWindows(slo: Pick<SloDefinition, 'windowDays'>, pairs: readonly WindowPair[]): number[] {
  return [...new Set([...windowsOf(pairs), slo.windowDays * 86_400])];
}

/** Reads the SLO's counters and evaluates them: what the dashboard shows and the evaluator acts on. */
export async function readBurn(
  counters: SliCounters,
  slo: SloDefinition,
  now: Date,
  pairs: readonly WindowPair[] = DEFAULT_WINDOW_PAIRS,
): Promise<{ evaluation: BurnEvaluation; window: Counts }> {
  const totals = await counters.totals(sloSeries(slo.tenantId, slo.id), now, statusWindows(slo, pairs));
  return { evaluation: evaluateBurn(slo, totals, pairs), window: totals.get(slo.windowDays * 86_400) ?? { good: 0, total: 0 } };
}

export function statusOf(slo: SloDefinition, burn: { evaluation: BurnEvaluation; window: Counts }, recorded: AlertState, now: Date): SloStatus {
  const budget = errorBudget(burn.window, slo.objective);
  return {
    sli: budget.sli,
    errorBudgetRemaining: budget.remaining,
    goodRequests: burn.window.good,
    totalRequests: burn.window.total,
    evaluation: burn.evaluation,
    alertState: recorded,
    throttled: recorded === 'page' && throttleRelieves(slo.kind),
    evaluatedAt: now,
  };
}
