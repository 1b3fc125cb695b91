import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { CostContext } from '../context';
import { dateTimeScalar } from '../date-time-scalar';
import { queryResolvers } from './query';
import { subscriptionResolvers } from './subscription';
import { tenantResolvers } from './tenant';

export const resolvers = {
  DateTime: dateTimeScalar,
  Query: queryResolvers,
  Subscription: subscriptionResolvers,
  Tenant: tenantResolvers,
} as unknown as GraphQLResolverMap<CostContext>;
