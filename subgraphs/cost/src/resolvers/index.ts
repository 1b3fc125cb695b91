import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { CostContext } from '../context';
import { dateTimeScalar } from '../date-time-scalar';
import { mutationResolvers } from './mutation';
import { queryResolvers } from './query';
import { requestLogQueryResolvers } from './request-log';
import { subscriptionResolvers } from './subscription';
import { tenantResolvers } from './tenant';

export const resolvers = {
  DateTime: dateTimeScalar,
  Query: { ...queryResolvers, ...requestLogQueryResolvers },
  Subscription: subscriptionResolvers,
  Tenant: tenantResolvers,
  Mutation: mutationResolvers,
} as unknown as GraphQLResolverMap<CostContext>;
