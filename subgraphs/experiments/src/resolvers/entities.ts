import { parseRouteDefinition, type Route } from '@switchyard/data-plane/routes';
import { canonicalActor } from '@switchyard/subgraph-kit/audit-actor';
import type { ExperimentsContext } from '../context';
import type { RouteRecord } from '../route-record';

/** The stored definition as the router sees it (stored definitions were validated on write). */
function routeOf(record: RouteRecord): Route | null {
  const parsed = parseRouteDefinition(record.name, record.definition);
  return parsed.ok ? parsed.route : null;
}

/** Federation entities; references outside the caller's reach resolve to null. */
export const routeResolvers = {
  __resolveReference: (reference: { id: string }, { loaders }: ExperimentsContext): Promise<RouteRecord | null> => loaders.routeById.load(reference.id),
  definition: (record: RouteRecord): string => JSON.stringify(record.definition),
  candidates: (record: RouteRecord) => routeOf(record)?.candidates ?? [],
  strategy: (record: RouteRecord): string => routeOf(record)?.strategy.kind ?? 'invalid',
  fallbacks: (record: RouteRecord): string[] => routeOf(record)?.fallbacks ?? [],
  versions: async (record: RouteRecord, _args: unknown, { routes, principal }: ExperimentsContext) =>
    ((await routes.routeVersions(record.tenantId, record.name, principal)) ?? []).map((version) => ({ ...version, definition: JSON.stringify(version.definition), createdBy: canonicalActor(version.createdBy) })),
  // Older rows hold a bare subject: shown as the actor its audit entries name.
  createdBy: (record: RouteRecord): string => canonicalActor(record.createdBy),
  updatedBy: (record: RouteRecord): string => canonicalActor(record.updatedBy),
};

export const tenantResolvers = {
  routes: (tenant: { id: string }, _args: unknown, { loaders }: ExperimentsContext): Promise<RouteRecord[]> => loaders.routesByTenantId.load(tenant.id),
  experiments: (tenant: { id: string }, _args: unknown, { experiments, principal }: ExperimentsContext) => experiments.experiments(tenant.id, principal),
};
