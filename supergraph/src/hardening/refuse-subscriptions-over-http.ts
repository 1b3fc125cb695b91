import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { GATEWAY_ERRORS } from '../errors';

/** The gateway cannot execute subscriptions; they are served by graphql-ws on the same path. */
export function refuseSubscriptionsOverHttp<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === 'subscription') {
            throw new GraphQLError(GATEWAY_ERRORS.SUBSCRIPTION_OVER_HTTP.message, {
              extensions: { code: 'SUBSCRIPTION_OVER_HTTP', http: { status: GATEWAY_ERRORS.SUBSCRIPTION_OVER_HTTP.status } },
            });
          }
        },
      };
    },
  };
}
