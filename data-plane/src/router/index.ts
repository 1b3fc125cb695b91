// @switchyard/data-plane/routes: the route schema. The experiments subgraph validates tenants'
// routes with the router's own schema, so a route it accepts is a route the data plane serves.
export { routeSchema, routesSchema, parseRoutes } from './route';
export type { Route, RouteConfig, RouteCandidate, StrategyConfig } from './route';
export { parseRouteDefinition, routeDefinitionOf } from './route-definition';
export type { ParsedRoute, RouteDefinition, RouteIssue } from './route-definition';
