import type { SloDefinition } from './slo-definition';

/** What a finished request tells the SLIs: the usage event's fields, the optimizer's where it filled them. */
export interface RequestObservation {
  tenantId: string;
  route: string;
  status: 'ok' | 'error';
  latencyMs: number;
  /** Regret of the routing decision (0..1), when the cost optimizer measured it. */
  regretDelta?: number;
  /** Percent saved against the route's reference model, when the cost optimizer measured it. */
  savingsPct?: number;
}

/**
 * Whether one request counts toward an SLO and, if so, whether it was good. `undefined`: it does
 * not count (another tenant or route, or the measurement the SLO needs is missing, which must
 * neither spend nor earn budget).
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
      if (request.regretDelta === undefined) return undefined;
      return request.regretDelta <= slo.maxRegret ? 'good' : 'bad';
    case 'cost':
      if (request.savingsPct === undefined) return undefined;
      return request.savingsPct >= slo.minSavingsPct ? 'good' : 'bad';
  }
}
