import type { Route } from './route';

/** Where routes live. In memory from configuration for now; a database-backed table can follow. */
export interface RouteTable {
  get(name: string): Route | undefined;
  list(): readonly Route[];
}

export function createInMemoryRouteTable(routes: readonly Route[]): RouteTable {
  const byName = new Map<string, Route>();
  for (const route of routes) {
    if (byName.has(route.name)) throw new Error(`duplicate route name: ${route.name}`);
    byName.set(route.name, route);
  }
  const listing = [...byName.values()];
  return { get: (name) => byName.get(name), list: () => listing };
}
