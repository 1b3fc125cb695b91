import type { Route } from './route';

/**
 * Where routes live: the platform's configured routes (defaults every tenant sees) plus each
 * tenant's own routes. A tenant's route shadows a default of the same name; no tenant ever
 * sees another tenant's routes. Reads are synchronous: nothing on the request path waits on
 * storage (implementations keep everything in memory and refresh it off the hot path).
 * Implementations pass `route-table.contract.ts`.
 */
export interface RouteTable {
  /** What `name` means for `tenantId`: its own route, else the platform default, else undefined. */
  get(tenantId: string, name: string): Route | undefined;
  /** Every route `tenantId` may use: its own (by name), then the defaults it does not shadow. */
  list(tenantId: string): readonly Route[];
  /** The platform's configured routes (validated against the providers at start-up). */
  defaults(): readonly Route[];
}

/** Defaults by name; throws on a duplicate (a configuration mistake, reported at start-up). */
export function indexDefaults(routes: readonly Route[]): ReadonlyMap<string, Route> {
  const byName = new Map<string, Route>();
  for (const route of routes) {
    if (byName.has(route.name)) throw new Error(`duplicate route name: ${route.name}`);
    byName.set(route.name, route);
  }
  return byName;
}

/**
 * The lookup both implementations share: tenant routes by tenant id, then by name. Listings are
 * computed once per change, not per request.
 */
export function createTenantRouteIndex(defaults: readonly Route[]) {
  const defaultsByName = indexDefaults(defaults);
  const defaultListing = [...defaultsByName.values()];
  const tenants = new Map<string, { byName: ReadonlyMap<string, Route>; listing: readonly Route[] }>();
  return {
    get: (tenantId: string, name: string): Route | undefined => tenants.get(tenantId)?.byName.get(name) ?? defaultsByName.get(name),
    list: (tenantId: string): readonly Route[] => tenants.get(tenantId)?.listing ?? defaultListing,
    defaults: (): readonly Route[] => defaultListing,
    /** Replaces every route of one tenant (an empty list forgets the tenant). */
    replace(tenantId: string, routes: readonly Route[]): void {
      if (routes.length === 0) {
        tenants.delete(tenantId);
        return;
      }
      const byName = new Map<string, Route>(routes.map((route) => [route.name, route]));
      const own = [...byName.values()];
      tenants.set(tenantId, { byName, listing: [...own, ...defaultListing.filter((route) => !byName.has(route.name))] });
    },
    tenantIds: (): string[] => [...tenants.keys()],
  };
}

export interface InMemoryRouteTable extends RouteTable {
  /** Replaces every route of one tenant (the embedder's way to change them). */
  setTenantRoutes(tenantId: string, routes: readonly Route[]): void;
}

/** Routes from configuration, optionally with per-tenant routes set by the embedder. */
export function createInMemoryRouteTable(defaults: readonly Route[]): InMemoryRouteTable {
  const index = createTenantRouteIndex(defaults);
  return { get: index.get, list: index.list, defaults: index.defaults, setTenantRoutes: index.replace };
}
