import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { CostContext } from '../context';
import { dateTimeScalar } from '../date-time-scalar';
import { queryResolvers } from './query';
import { requestLogQueryResolvers } from './request-log';
import { subscriptionResolvers } from './subscription';
import { tenantResolvers } from './tenant';

export const resolvers = {
  DateTime: dateTimeScalar,
  Query: { ...queryResolvers, ...requestLogQueryResolvers },
  Subscription: subscriptionResolvers,
  Tenant: tenantResolvers,
} as unknown as GraphQLResolverMap<CostContext>;
