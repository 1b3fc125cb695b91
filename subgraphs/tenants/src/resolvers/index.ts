import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { TenantsContext } from '../context';
import { dateTimeScalar } from '../date-time-scalar';
import { apiKeyResolvers, memberResolvers, tenantQuotasResolvers, tenantResolvers, tenantSettingsResolvers } from './entities';
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
  TenantSettings: tenantSettingsResolvers,
} as unknown as GraphQLResolverMap<TenantsContext>;
