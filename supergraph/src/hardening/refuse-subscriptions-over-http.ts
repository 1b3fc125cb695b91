import type { ApolloServerPlugin } from '@apollo/server';
import { GATEWAY_ERRORS } from '@switchyard/subgraph-kit/errors';

/** The gateway cannot execute subscriptions; they are served by graphql-ws on the same path. */
export function refuseSubscriptionsOverHttp<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === 'subscription') {
            // Fails the request as a whole: answered with the code's HTTP status (400).
            throw GATEWAY_ERRORS.create('SUBSCRIPTION_OVER_HTTP');
          }
        },
      };
    },
  };
}
