import type { ExperimentsContext } from '../context';
import type { RouteRecord } from '../route-record';
import type { CreateRouteInput, DeleteRouteInput, UpdateRouteInput } from '../routes-service';

export const mutationResolvers = {
  createRoute: (_parent: unknown, args: { input: CreateRouteInput }, { routes, principal }: ExperimentsContext): Promise<RouteRecord> => routes.createRoute(args.input, principal),
  updateRoute: (_parent: unknown, args: { input: UpdateRouteInput }, { routes, principal }: ExperimentsContext): Promise<RouteRecord> => routes.updateRoute(args.input, principal),
  deleteRoute: (_parent: unknown, args: { input: DeleteRouteInput }, { routes, principal }: ExperimentsContext): Promise<RouteRecord> => routes.deleteRoute(args.input, principal),
};
