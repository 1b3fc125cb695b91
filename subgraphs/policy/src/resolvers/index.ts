import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { PolicyContext } from '../context';
import { dateTimeScalar } from '../date-time-scalar';
import { mutationResolvers } from './mutation';
import { queryResolvers } from './query';
import { decisionFlipResolvers, policyVersionResolvers } from './shapes';

export const resolvers = {
  DateTime: dateTimeScalar,
  Query: queryResolvers,
  Mutation: mutationResolvers,
  PolicyVersion: policyVersionResolvers,
  PolicyDecisionFlip: decisionFlipResolvers,
} as unknown as GraphQLResolverMap<PolicyContext>;

