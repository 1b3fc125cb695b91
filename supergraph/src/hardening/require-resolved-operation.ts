import type { ApolloServerPlugin } from '@apollo/server';
import { GATEWAY_ERRORS } from '@switchyard/subgraph-kit/errors';
import { GraphQLError } from 'graphql';

/**
 * An operationName that names no operation of the document (or none given for a document with
 * several) is the client's mistake. Apollo Server leaves resolving it to the gateway, whose
 * executor then fails with an unregistered code and HTTP 500 (found by graphql-fuzz.test.ts);
 * refused here first, as a validation failure (400).
 */
export function requireResolvedOperation<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (operation) return;
          const name = request.operationName;
          const message = name ? `Unknown operation named ${JSON.stringify(name.slice(0, 100))}.` : 'The document has several operations: name the one to run in operationName.';
          // The code's status set by hand: Apollo answers its own validation failures with 400, so
          // the registry does not mark this code as failing the request (which would set it).
          const code = 'GRAPHQL_VALIDATION_FAILED';
          throw new GraphQLError(message, { extensions: { code, http: { status: GATEWAY_ERRORS.definitions[code].httpStatus } } });
        },
      };
    },
  };
}
