import type { ExperimentsContext } from '../context';
import type { RouteRecord } from '../route-record';

export const queryResolvers = {
  routes: (_parent: unknown, args: { tenantId: string }, { routes, principal }: ExperimentsContext): Promise<RouteRecord[]> => routes.routes(args.tenantId, principal),
  route: (_parent: unknown, args: { tenantId: string; name: string }, { routes, principal }: ExperimentsContext): Promise<RouteRecord | null> =>
    routes.route(args.tenantId, args.name, principal),
};
