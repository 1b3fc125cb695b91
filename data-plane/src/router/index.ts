// @switchyard/data-plane/routes: the route schema (the experiments subgraph validates with the
// router's own schema) and the route tables.
export { routeSchema, routesSchema, parseRoutes } from './route';
export type { Route, RouteConfig, RouteCandidate, StrategyConfig } from './route';
export { parseRouteDefinition, routeDefinitionOf } from './route-definition';
export type { ParsedRoute, RouteDefinition, RouteIssue } from './route-definition';
export { createInMemoryRouteTable } from './route-table';
export type { InMemoryRouteTable, RouteTable } from './route-table';
export { createDatabaseRouteTable } from './database-route-table';
export type { DatabaseRouteTable, DatabaseRouteTableOptions } from './database-route-table';
