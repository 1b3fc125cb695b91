import { routeSchema, type Route } from './route';

/** A route as stored: everything but its name (the name is a column of its own). */
export type RouteDefinition = Omit<Route, 'name'>;

export interface RouteIssue {
  /** Dotted path inside the route, e.g. `candidates.0.model` or `name`. */
  path: string;
  message: string;
}

export type ParsedRoute = { ok: true; route: Route } | { ok: false; issues: RouteIssue[] };

/**
 * Validates a name plus a definition with the data plane's own route schema: what the
 * experiments subgraph accepts is exactly what the router can run. Every problem is listed.
 */
export function parseRouteDefinition(name: unknown, definition: unknown): ParsedRoute {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
    return { ok: false, issues: [{ path: '', message: 'a route definition is a JSON object (candidates, strategy, …)' }] };
  }
  const result = routeSchema.safeParse({ ...definition, name });
  if (result.success) return { ok: true, route: result.data };
  return { ok: false, issues: result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })) };
}

/** The stored form of a validated route (defaults filled in, so what is shown is what runs). */
export function routeDefinitionOf(route: Route): RouteDefinition {
  const { name: _name, ...definition } = route;
  return definition;
}
