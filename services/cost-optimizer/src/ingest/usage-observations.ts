import { usageEventSchema, type UsageEvent } from '@switchyard/events/usage';
import type { StreamEntry } from '@switchyard/bus';
import type { ObservationRow } from '../store/optimizer-store';

/**
 * The optimizer's view of one usage event: a request of a configured route, attributed to the
 * upstream that served it (or, when none did, to the first that failed). Plain models and
 * requests no upstream was tried for say nothing about a route's arms. Pure.
 */
export function observationOf(event: UsageEvent): ObservationRow | undefined {
  const route = event.route;
  if (!route?.configured) return undefined;
  // A shadow copy answered no client: it is the experiment's measurement of its challenger, not the
  // route's traffic, so it has no place in the route's savings or in its arms' features.
  if (event.experiment?.shadow === true) return undefined;
  const leg = route.legs.find((l) => l.upstream === route.candidate && l.outcome === 'won') ?? route.legs.find((l) => l.outcome === 'failed');
  const upstream = route.candidate ?? leg?.upstream;
  if (!upstream) return undefined;
  return {
    requestId: event.requestId,
    route: route.name,
    upstream,
    model: leg?.model ?? event.model,
    success: event.status === 'ok' && route.candidate !== null,
    latencyMs: event.latencyMs,
    promptTokens: event.promptTokens,
    completionTokens: event.completionTokens,
    costMicros: BigInt(event.costMicros),
    priors: route.priors ?? null,
    createdAt: new Date(event.createdAt),
  };
}

export interface SplitObservations {
  byTenant: Map<string, { rows: ObservationRow[]; entryIds: string[] }>;
  /** Entries that are not usage events, or say nothing about a route (acked at once). */
  skipped: string[];
}

export function splitObservations(entries: readonly StreamEntry[]): SplitObservations {
  const byTenant: SplitObservations['byTenant'] = new Map();
  const skipped: string[] = [];
  for (const entry of entries) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(entry.payload);
    } catch {
      skipped.push(entry.id);
      continue;
    }
    const event = usageEventSchema.safeParse(parsed);
    const row = event.success ? observationOf(event.data) : undefined;
    if (!event.success || !row) {
      skipped.push(entry.id);
      continue;
    }
    let tenant = byTenant.get(event.data.tenantId);
    if (!tenant) byTenant.set(event.data.tenantId, (tenant = { rows: [], entryIds: [] }));
    tenant.rows.push(row);
    tenant.entryIds.push(entry.id);
  }
  return { byTenant, skipped };
}
