import { z } from 'zod';

/** Larger than any console operation with its variables; anything bigger is not from the console. */
export const MAX_GRAPHQL_BODY_BYTES = 64 * 1024;

export const graphQLRequestSchema = z.object({
  query: z.string().min(1).max(32 * 1024),
  variables: z.record(z.string(), z.unknown()).nullish(),
  operationName: z.string().max(200).nullish(),
}).strict();
export type GraphQLRequest = z.infer<typeof graphQLRequestSchema>;
