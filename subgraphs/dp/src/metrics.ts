import { Gauge, Registry } from 'prom-client';
import { MICRO } from '@switchyard/ledger';
import type { DpBudget } from './budget';
import { remainingMicros } from './budget';

/** Prometheus metrics of the dp subgraph, in their own registry (served on `/metrics`). */
export interface DpMetrics {
  readonly registry: Registry;
  /** Records what remains of a budget after a change or a read. */
  observe(budget: DpBudget): void;
}

export function createDpMetrics(): DpMetrics {
  const registry = new Registry();
  const remaining = new Gauge({
    name: 'dp_budget_remaining',
    help: 'Privacy budget left (cap − spent − reserved) in ε (pure-ε budgets) or ρ (zCDP budgets).',
    labelNames: ['tenant', 'dataset'] as const,
    registers: [registry],
  });
  return {
    registry,
    observe(budget) {
      remaining.set({ tenant: budget.tenantId, dataset: budget.dataset }, Number(remainingMicros(budget)) / Number(MICRO));
    },
  };
}
