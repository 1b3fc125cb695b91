import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { TenantsContext } from '../context';
import { dateTimeScalar } from '../date-time-scalar';
import { apiKeyResolvers, memberResolvers, tenantQuotasResolvers, tenantResolvers } from './entities';
import { mutationResolvers } from './mutation';
import { queryResolvers } from './query';

export const resolvers = {
  DateTime: dateTimeScalar,
  Query: queryResolvers,
  Mutation: mutationResolvers,
  Tenant: tenantResolvers,
  ApiKey: apiKeyResolvers,
  Member: memberResolvers,
  TenantQuotas: tenantQuotasResolvers,
} as unknown as GraphQLResolverMap<TenantsContext>;
