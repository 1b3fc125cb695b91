import { subscriptionViaGateway } from '../errors';

const refuse = (): never => {
  throw subscriptionViaGateway();
};

/**
 * Declared so it composes into the API schema; the gateway serves it over graphql-ws
 * (DESIGN.md §4). Over HTTP Apollo executes a subscription like a query, hence `resolve` too.
 */
export const subscriptionResolvers = {
  costUpdated: { subscribe: refuse, resolve: refuse },
  savingsUpdated: { subscribe: refuse, resolve: refuse },
  requestLogUpdated: { subscribe: refuse, resolve: refuse },
};
