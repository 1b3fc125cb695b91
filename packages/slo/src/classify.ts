import type { SloDefinition } from './slo-definition';

/** What a finished request tells the SLIs: the usage event's fields. */
export interface RequestObservation {
  tenantId: string;
  route: string;
  status: 'ok' | 'error';
  latencyMs: number;
}

/** What one cost-optimizer run measured on one route (the optimizer.runs stream). */
export interface RunObservation {
  tenantId: string;
  route: string;
  /** The bandit's per-request regret against the best arm in hindsight over the run's window (0..1). */
  regretDelta: number;
  /** Percent saved against the tenant's baseline over the run's window. */
  savingsPct: number;
}

/**
 * Whether one request counts toward an SLO and, if so, whether it was good. `undefined`: it does
 * not count (another tenant or route, or a quality or cost SLO: a single request has no regret or
 * savings of its own; those SLOs count optimizer runs, see {@link classifyRun}).
 */
export function classify(slo: SloDefinition, request: RequestObservation): 'good' | 'bad' | undefined {
  if (request.tenantId !== slo.tenantId || request.route !== slo.route) return undefined;
  switch (slo.kind) {
    case 'availability':
      return request.status === 'ok' ? 'good' : 'bad';
    case 'latency':
      // A failed request did not answer within anything: it is slow as far as users can tell.
      return request.status === 'ok' && request.latencyMs <= slo.thresholdMs ? 'good' : 'bad';
    case 'quality':
    case 'cost':
      return undefined;
  }
}

/**
 * Whether one optimizer run's measurement of a route counts toward an SLO (quality and cost only)
 * and, if so, whether it was good: one run of one route is one event (see README, "SLI semantics").
 */
export function classifyRun(slo: SloDefinition, run: RunObservation): 'good' | 'bad' | undefined {
  if (run.tenantId !== slo.tenantId || run.route !== slo.route) return undefined;
  switch (slo.kind) {
    case 'quality':
      return run.regretDelta <= slo.maxRegret ? 'good' : 'bad';
    case 'cost':
      return run.savingsPct >= slo.minSavingsPct ? 'good' : 'bad';
    case 'availability':
    case 'latency':
      return undefined;
  }
}
