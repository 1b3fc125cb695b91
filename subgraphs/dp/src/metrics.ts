import { Gauge, Registry } from 'prom-client';
import { MICRO } from '@switchyard/ledger';
import type { DpBudget } from './budget';
import { remainingMicros } from './budget';

/** Prometheus metrics of the dp subgraph, in their own registry (served on the operator metrics listener, never a public port). */
export interface DpMetrics {
  readonly registry: Registry;
  /** Records what remains of a budget after a change or a read. */
  observe(budget: DpBudget): void;
  /** A deleted budget: no longer counted, its series removed. */
  forget(budget: DpBudget): void;
}

export interface DpMetricsOptions {
  /**
   * Tenant ids and dataset names (tenant-chosen) as label values: `dp_budget_remaining{tenant,dataset}`.
   * Off by default (METRICS_TENANT_LABELS): budgets are then only counted by state.
   */
  tenantLabels?: boolean;
}

/** A budget's state for `dp_budgets`: `low` below this share of its cap. */
const LOW_SHARE_PERCENT = 10n;

type BudgetState = 'available' | 'low' | 'exhausted';
const STATES: readonly BudgetState[] = ['available', 'low', 'exhausted'];

function stateOf(budget: DpBudget): BudgetState {
  const remaining = remainingMicros(budget);
  if (remaining <= 0n) return 'exhausted';
  return remaining * 100n < LOW_SHARE_PERCENT * budget.capMicros ? 'low' : 'available';
}

export function createDpMetrics(options: DpMetricsOptions = {}): DpMetrics {
  const registry = new Registry();
  // Budgets this replica has seen, by id (never a label): what the state counts are read from at scrape time.
  const states = new Map<string, BudgetState>();
  new Gauge({
    name: 'dp_budgets',
    help: 'Privacy budgets this replica has seen, by state: available, low (under 10% of the cap left) or exhausted (no tenant or dataset labels)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const counts = new Map<BudgetState, number>(STATES.map((state) => [state, 0]));
      for (const state of states.values()) counts.set(state, (counts.get(state) ?? 0) + 1);
      for (const [state, count] of counts) this.set({ state }, count);
    },
  });
  const remaining = options.tenantLabels
    ? new Gauge({
        name: 'dp_budget_remaining',
        help: 'Privacy budget left (cap − spent − reserved) in ε (pure-ε budgets) or ρ (zCDP budgets), per tenant and dataset (METRICS_TENANT_LABELS=on).',
        labelNames: ['tenant', 'dataset'] as const,
        registers: [registry],
      })
    : undefined;
  return {
    registry,
    observe(budget) {
      states.set(budget.id, stateOf(budget));
      remaining?.set({ tenant: budget.tenantId, dataset: budget.dataset }, Number(remainingMicros(budget)) / Number(MICRO));
    },
    forget(budget) {
      states.delete(budget.id);
      remaining?.remove({ tenant: budget.tenantId, dataset: budget.dataset });
    },
  };
}
