import type { ExperimentsContext } from '../context';
import { subscriptionViaGateway } from '../errors';
import type { ExperimentRecord } from '../experiment-record';
import type { RouteRecord } from '../route-record';

export const queryResolvers = {
  routes: (_parent: unknown, args: { tenantId: string }, { routes, principal }: ExperimentsContext): Promise<RouteRecord[]> => routes.routes(args.tenantId, principal),
  route: (_parent: unknown, args: { tenantId: string; name: string }, { routes, principal }: ExperimentsContext): Promise<RouteRecord | null> =>
    routes.route(args.tenantId, args.name, principal),
  experiments: (_parent: unknown, args: { tenantId: string }, { experiments, principal }: ExperimentsContext): Promise<ExperimentRecord[]> => experiments.experiments(args.tenantId, principal),
  experiment: (_parent: unknown, args: { tenantId: string; id: string }, { experiments, principal }: ExperimentsContext): Promise<ExperimentRecord | null> =>
    experiments.experiment(args.tenantId, args.id, principal),
};

const refuse = (): never => {
  throw subscriptionViaGateway();
};

/** Declared so it composes; the gateway serves it over graphql-ws (it re-runs `experiments` on each event). */
export const subscriptionResolvers = {
  experimentUpdated: { subscribe: refuse, resolve: refuse },
};
