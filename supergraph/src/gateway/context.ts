import type { Principal } from '@switchyard/identity';

/** What every GraphQL operation runs with: the verified caller, nothing from the raw request. */
export interface GatewayContext {
  principal: Principal;
}
