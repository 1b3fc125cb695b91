import { z } from 'zod';
import type { Operation } from './operations';

/**
 * The routes page's GraphQL operations (experiments subgraph). Same shape as `operations.ts`;
 * listed in CONSOLE_OPERATIONS so they are validated and persisted with the rest.
 */
function operation<TData, TVariables>(name: string, document: string, data: z.ZodType<TData>): Operation<TData, TVariables> {
  return { name, document, data };
}

const routeSchema = z.object({
  id: z.string(),
  name: z.string(),
  definition: z.string(),
  strategy: z.string(),
  candidates: z.array(z.object({ model: z.string(), provider: z.string().nullable() })),
  fallbacks: z.array(z.string()),
  version: z.number().int(),
  updatedBy: z.string(),
  updatedAt: z.string(),
});
export type TenantRoute = z.infer<typeof routeSchema>;

const ROUTE_FIELDS = 'id name definition strategy candidates { model provider } fallbacks version updatedBy updatedAt';

export const tenantRoutesQuery = operation<{ tenant: { id: string; slug: string; name: string; routes: TenantRoute[] } | null }, { slug: string }>(
  'ConsoleTenantRoutes',
  `query ConsoleTenantRoutes($slug: String!) { tenant(slug: $slug) { id slug name routes { ${ROUTE_FIELDS} } } }`,
  z.object({ tenant: z.object({ id: z.string(), slug: z.string(), name: z.string(), routes: z.array(routeSchema) }).nullable() }),
);

export const createRouteMutation = operation<{ createRoute: TenantRoute }, { input: { tenantId: string; name: string; definition: string } }>(
  'ConsoleCreateRoute',
  `mutation ConsoleCreateRoute($input: CreateRouteInput!) { createRoute(input: $input) { ${ROUTE_FIELDS} } }`,
  z.object({ createRoute: routeSchema }),
);

export const updateRouteMutation = operation<
  { updateRoute: TenantRoute },
  { input: { tenantId: string; name: string; expectedVersion: number; definition: string } }
>(
  'ConsoleUpdateRoute',
  `mutation ConsoleUpdateRoute($input: UpdateRouteInput!) { updateRoute(input: $input) { ${ROUTE_FIELDS} } }`,
  z.object({ updateRoute: routeSchema }),
);

export const deleteRouteMutation = operation<{ deleteRoute: { id: string } }, { input: { tenantId: string; name: string; expectedVersion: number } }>(
  'ConsoleDeleteRoute',
  `mutation ConsoleDeleteRoute($input: DeleteRouteInput!) { deleteRoute(input: $input) { id } }`,
  z.object({ deleteRoute: z.object({ id: z.string() }) }),
);

export const ROUTE_OPERATIONS = [tenantRoutesQuery, createRouteMutation, updateRouteMutation, deleteRouteMutation] as const;
