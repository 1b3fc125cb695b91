import type { OptimizerRunEvent } from '@switchyard/events/optimizer';
import type { UsageEvent } from '@switchyard/events/usage';
import { classify, classifyRun, type SloDefinition } from '@switchyard/slo';
import { sloSeries, type SliAdd } from '@switchyard/slo/counters';

/**
 * What one usage event adds to its tenant's SLO series: one good or bad request per SLO of the
 * route it named (a plain model counts under its model name, as the data plane resolves it).
 */
export function sliAddsOf(event: UsageEvent, slos: readonly SloDefinition[]): SliAdd[] {
  const observation = { tenantId: event.tenantId, route: event.route?.name ?? event.model, status: event.status, latencyMs: event.latencyMs };
  const at = new Date(event.createdAt);
  const adds: SliAdd[] = [];
  for (const slo of slos) {
    const verdict = classify(slo, observation);
    if (verdict === undefined) continue;
    adds.push({ series: sloSeries(slo.tenantId, slo.id), at, counts: { good: verdict === 'good' ? 1 : 0, total: 1 } });
  }
  return adds;
}

/**
 * What one optimizer run adds to its tenant's quality and cost SLO series: one good or bad event
 * per SLO of each route the run measured, at the end of the run's window.
 */
export function sliAddsOfRun(event: OptimizerRunEvent, slos: readonly SloDefinition[]): SliAdd[] {
  const at = new Date(event.at);
  const adds: SliAdd[] = [];
  for (const route of event.routes) {
    const observation = { tenantId: event.tenantId, route: route.route, regretDelta: route.regretDelta, savingsPct: route.savingsPct };
    for (const slo of slos) {
      const verdict = classifyRun(slo, observation);
      if (verdict === undefined) continue;
      adds.push({ series: sloSeries(slo.tenantId, slo.id), at, counts: { good: verdict === 'good' ? 1 : 0, total: 1 } });
    }
  }
  return adds;
}
