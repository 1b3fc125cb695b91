import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { SloContext } from '../context';
import { dateTimeScalar } from '../date-time-scalar';
import { subscriptionViaGateway } from '../errors';
import type { SloOverview, SloView } from '../slo-service';
import type { TransitionRecord } from '../slo-store';
import { latencyPercentile } from '@switchyard/slo';

const refuse = (): never => {
  throw subscriptionViaGateway();
};
const upper = (value: string) => value.toUpperCase();

const overview = (_parent: unknown, args: { tenantId: string; transitionsLimit: number }, { service, principal }: SloContext): Promise<SloOverview> =>
  service.overview(args.tenantId, args.transitionsLimit, principal);

export const resolvers = {
  DateTime: dateTimeScalar,
  Query: { sloOverview: overview },
  Mutation: {
    putSlo: (_parent: unknown, args: { input: unknown }, { service, principal }: SloContext) => service.put(args.input, principal),
    deleteSlo: (_parent: unknown, args: { tenantId: string; id: string }, { service, principal }: SloContext) => service.remove(args.tenantId, args.id, principal),
  },
  // Declared so it composes; the gateway serves it over graphql-ws (DESIGN.md §5). Over HTTP Apollo runs it like a query.
  Subscription: { slosUpdated: { subscribe: refuse, resolve: refuse } },
  Tenant: {
    __resolveReference: (reference: { id: string }): { id: string } => ({ id: reference.id }),
    slos: (tenant: { id: string }, _args: unknown, context: SloContext) => overview(undefined, { tenantId: tenant.id, transitionsLimit: 20 }, context),
  },
  Slo: {
    kind: (slo: SloView) => upper(slo.kind),
    thresholdMs: (slo: SloView) => (slo.kind === 'latency' ? slo.thresholdMs : null),
    percentile: (slo: SloView) => (slo.kind === 'latency' ? latencyPercentile(slo) : null),
    maxRegret: (slo: SloView) => (slo.kind === 'quality' ? slo.maxRegret : null),
    minSavingsPct: (slo: SloView) => (slo.kind === 'cost' ? slo.minSavingsPct : null),
  },
  SloStatus: {
    alertState: (status: SloView['status']) => upper(status.alertState),
    windows: (status: SloView['status']) =>
      status.evaluation.pairs.map((pair) => ({
        name: pair.name,
        severity: pair.severity,
        longWindowSeconds: pair.longSeconds,
        shortWindowSeconds: pair.shortSeconds,
        threshold: pair.threshold,
        longBurnRate: pair.longBurn,
        shortBurnRate: pair.shortBurn,
        firing: pair.firing,
      })),
  },
  SloTransition: {
    state: (t: TransitionRecord) => upper(t.state),
    previous: (t: TransitionRecord) => upper(t.previous),
    throttle: (t: TransitionRecord) => (t.throttle === null ? null : upper(t.throttle)),
    fastBurnRate: (t: TransitionRecord) => t.burnRates.fast,
    slowBurnRate: (t: TransitionRecord) => t.burnRates.slow,
  },
} as unknown as GraphQLResolverMap<SloContext>;
