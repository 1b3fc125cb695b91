import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { budgetView, chargeView } from '../budget';
import type { DpBudget } from '../budget';
import type { DpContext } from '../context';
import { dateTimeScalar } from '../date-time-scalar';
import { subscriptionViaGateway } from '../errors';

/** Thin: hand the raw arguments to the service (it validates and authorizes), shape the answer. */
type Args = Record<string, unknown>;

const refuse = (): never => {
  throw subscriptionViaGateway();
};

const budgetOrNull = (budget: DpBudget | null) => (budget ? budgetView(budget) : null);

export const resolvers = {
  DateTime: dateTimeScalar,
  Query: {
    dpBudgets: async (_: unknown, args: Args, { service, principal }: DpContext) => (await service.listBudgets(String(args['tenantId']), principal)).map(budgetView),
    dpBudget: async (_: unknown, args: Args, { service, principal }: DpContext) => budgetOrNull(await service.getBudget(String(args['id']), principal)),
  },
  Mutation: {
    createDpBudget: async (_: unknown, args: Args, { service, principal }: DpContext) => budgetView(await service.createBudget(args['input'], principal)),
    updateDpBudget: async (_: unknown, args: Args, { service, principal }: DpContext) => budgetView(await service.updateBudget(args['input'], principal)),
    deleteDpBudget: async (_: unknown, args: Args, { service, principal }: DpContext) => budgetView(await service.deleteBudget(String(args['id']), principal)),
    reserveDpBudget: async (_: unknown, args: Args, { service, principal }: DpContext) => chargeView(await service.reserve(args['input'], principal)),
    commitDpCharge: async (_: unknown, args: Args, { service, principal }: DpContext) => chargeView(await service.commit(String(args['chargeId']), principal)),
    releaseDpCharge: async (_: unknown, args: Args, { service, principal }: DpContext) => chargeView(await service.release(String(args['chargeId']), principal)),
    releaseNoisyAggregate: async (_: unknown, args: Args, { service, principal }: DpContext) => {
      const release = await service.releaseNoisyAggregate(args['input'], principal);
      return { noisyValue: release.noisyValue.toString(), charge: chargeView(release.charge), budget: budgetView(release.budget), fresh: release.fresh };
    },
  },
  DpBudget: {
    __resolveReference: async (reference: { id: string }, { service, principal }: DpContext) => budgetOrNull(await service.getBudget(reference.id, principal)),
  },
  /**
   * Declared so it composes into the API schema; the gateway serves it over graphql-ws
   * (DESIGN.md §4). Over HTTP Apollo executes a subscription like a query, hence `resolve` too.
   */
  Subscription: {
    dpBudgetChanged: { subscribe: refuse, resolve: refuse },
  },
} as unknown as GraphQLResolverMap<DpContext>;
