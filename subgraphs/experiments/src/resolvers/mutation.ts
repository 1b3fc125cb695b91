import type { ExperimentsContext } from '../context';
import type { ExperimentRecord } from '../experiment-record';
import type { ExperimentRef, StartExperimentInput } from '../experiments-service';
import type { RouteRecord } from '../route-record';
import type { CreateRouteInput, DeleteRouteInput, PinRouteInput, RollbackRouteInput, UpdateRouteInput } from '../routes-service';

/** GraphQL enums arrive upper-case; the service speaks the stored lower-case values. */
type StartArgs = Omit<StartExperimentInput, 'mode' | 'unit' | 'metric'> & { mode: string; unit?: string | null; metric?: string | null };
function startInput(input: StartArgs): StartExperimentInput {
  const lower = (value: string | null | undefined) => (value ? value.toLowerCase() : undefined);
  const { mode, unit, metric, ...rest } = input;
  const withoutNulls = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== null)) as Omit<StartExperimentInput, 'mode'>;
  const guardrails = input.guardrails ? Object.fromEntries(Object.entries(input.guardrails).filter(([, value]) => value !== null)) : undefined;
  return { ...withoutNulls, ...(guardrails ? { guardrails } : {}), mode: lower(mode) as StartExperimentInput['mode'], unit: lower(unit) as StartExperimentInput['unit'], metric: lower(metric) as StartExperimentInput['metric'] };
}

export const mutationResolvers = {
  createRoute: (_parent: unknown, args: { input: CreateRouteInput }, { routes, principal }: ExperimentsContext): Promise<RouteRecord> => routes.createRoute(args.input, principal),
  updateRoute: (_parent: unknown, args: { input: UpdateRouteInput }, { routes, principal }: ExperimentsContext): Promise<RouteRecord> => routes.updateRoute(args.input, principal),
  deleteRoute: (_parent: unknown, args: { input: DeleteRouteInput }, { routes, principal }: ExperimentsContext): Promise<RouteRecord> => routes.deleteRoute(args.input, principal),
  rollbackRoute: (_parent: unknown, args: { input: RollbackRouteInput }, { routes, principal }: ExperimentsContext): Promise<RouteRecord> => routes.rollbackRoute(args.input, principal),
  pinRoute: (_parent: unknown, args: { input: PinRouteInput }, { routes, principal }: ExperimentsContext): Promise<RouteRecord> =>
    routes.pinRoute({ ...args.input, version: args.input.version ?? null }, principal),
  startExperiment: (_parent: unknown, args: { input: StartArgs }, { experiments, principal }: ExperimentsContext): Promise<ExperimentRecord> =>
    experiments.startExperiment(startInput(args.input), principal),
  stopExperiment: (_parent: unknown, args: { input: ExperimentRef }, { experiments, principal }: ExperimentsContext): Promise<ExperimentRecord> => experiments.stopExperiment(args.input, principal),
  promoteExperiment: (_parent: unknown, args: { input: ExperimentRef }, { experiments, principal }: ExperimentsContext): Promise<ExperimentRecord> =>
    experiments.promoteExperiment(args.input, principal),
  revertPromotion: (_parent: unknown, args: { input: ExperimentRef }, { experiments, principal }: ExperimentsContext): Promise<ExperimentRecord> => experiments.revertPromotion(args.input, principal),
};
