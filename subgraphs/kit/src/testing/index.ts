export { countTransactions } from './counting-database';
export { createGraphQLRequest, listenOnLoopback } from './graphql-client';
export type { GraphQLReply, GraphQLRequest, GraphQLRequestOptions } from './graphql-client';
export { PLATFORM_ADMIN, errorCodes, principalOf } from './principals';
