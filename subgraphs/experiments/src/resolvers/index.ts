import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { dateTimeScalar } from '@switchyard/subgraph-kit/date-time-scalar';
import type { ExperimentsContext } from '../context';
import { routeResolvers, tenantResolvers } from './entities';
import { mutationResolvers } from './mutation';
import { experimentResolvers } from './experiment';
import { queryResolvers, subscriptionResolvers } from './query';

export const resolvers = {
  DateTime: dateTimeScalar,
  Query: queryResolvers,
  Mutation: mutationResolvers,
  Subscription: subscriptionResolvers,
  Experiment: experimentResolvers,
  Route: routeResolvers,
  Tenant: tenantResolvers,
} as unknown as GraphQLResolverMap<ExperimentsContext>;
