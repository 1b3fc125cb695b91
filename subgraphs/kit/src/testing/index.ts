export { countTransactions } from './counting-database';
export { createGraphQLRequest, listenOnLoopback } from './graphql-client';
export type { GraphQLReply, GraphQLRequest, GraphQLRequestOptions } from './graphql-client';
export { PLATFORM_ADMIN, errorCodes, principalOf } from './principals';
export { MALFORMED_REQUESTS, OVERSIZED_HEADER_REQUEST, parseRawHttpAnswer, rawHttpExchange } from './raw-http';
export type { RawHttpAnswer } from './raw-http';
