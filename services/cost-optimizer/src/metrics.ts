import { Counter, Gauge, Registry } from 'prom-client';
import type { TenantRun } from './run/run-tenant';

/**
 * The optimizer's Prometheus metrics, on its own registry (served by the process's operator
 * metrics listener). Route names are tenant-chosen: per-route series carry them only with
 * METRICS_TENANT_LABELS=on (`tenantLabels`); otherwise one series over every route.
 */
export function createOptimizerMetrics(options: { tenantLabels: boolean }) {
  const registry = new Registry();
  const labelNames = options.tenantLabels ? ['tenant', 'route'] : [];
  const savingsPct = new Gauge({ name: 'switchyard_optimizer_savings_pct', help: 'Savings against the tenant-chosen baseline over the feature window, percent', labelNames, registers: [registry] });
  const savingsMicros = new Gauge({ name: 'switchyard_optimizer_savings_micros', help: 'Savings against the baseline over the feature window, micro-USD', labelNames, registers: [registry] });
  const regretDelta = new Gauge({ name: 'switchyard_optimizer_regret_delta', help: 'Regret of the bandit against the best arm in hindsight, per request (reward units)', labelNames, registers: [registry] });
  const runs = new Counter({ name: 'switchyard_optimizer_runs_total', help: 'Optimizer runs per tenant, by outcome', labelNames: ['outcome'], registers: [registry] });
  const canary = new Counter({ name: 'switchyard_optimizer_canary_total', help: 'Canary steps of bandit priors, by what happened', labelNames: ['step'], registers: [registry] });
  const ticks = new Counter({
    name: 'switchyard_optimizer_schedule_ticks_total',
    help: 'Scheduled ticks on this replica, by outcome (ran: it held the lease; skipped: another replica did; lease_lost: lost mid-round; lease_unavailable: the lease store failed)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  // The aggregate over every tenant: the newest run of each.
  const latest = new Map<string, TenantRun>();

  return {
    registry,
    tick(outcome: string) {
      ticks.inc({ outcome });
    },
    runFailed() {
      runs.inc({ outcome: 'error' });
    },
    /** A central optimizer's tenant no configured region may serve. */
    runSkipped() {
      runs.inc({ outcome: 'skipped' });
    },
    recordRun(run: TenantRun) {
      runs.inc({ outcome: 'ok' });
      for (const route of run.routes) if (route.canary !== 'unchanged') canary.inc({ step: route.canary });
      latest.set(run.tenantId, run);
      if (options.tenantLabels) {
        for (const route of run.routes) {
          if (!route.savings) continue;
          const labels = { tenant: run.tenantId, route: route.route };
          savingsPct.set(labels, route.savings.savingsPct);
          savingsMicros.set(labels, Number(route.savings.baselineMicros - route.savings.actualMicros));
          regretDelta.set(labels, route.savings.regretDelta);
        }
        return;
      }
      let baseline = 0n;
      let actual = 0n;
      let regret = 0;
      let requests = 0;
      for (const tenantRun of latest.values()) {
        for (const route of tenantRun.routes) {
          if (!route.savings) continue;
          baseline += route.savings.baselineMicros;
          actual += route.savings.actualMicros;
          regret += route.savings.regret;
          requests += route.savings.requests;
        }
      }
      savingsMicros.set(Number(baseline - actual));
      savingsPct.set(baseline > 0n ? (Number(baseline - actual) / Number(baseline)) * 100 : 0);
      regretDelta.set(requests > 0 ? regret / requests : 0);
    },
  };
}

export type OptimizerMetrics = ReturnType<typeof createOptimizerMetrics>;
