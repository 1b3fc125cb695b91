import { z } from 'zod';

/**
 * How much of the gateway one caller may hold over graphql-ws. A caller is one principal as the
 * audit trail names it (`user:<subject>` or `api-key:<id>`), across all its sockets on this gateway
 * process. Each open subscription costs a bus listener, a coalescing buffer and a re-run of its
 * query per event: one API key with 1,500 subscriptions over 30 sockets raised RSS by 260 MB.
 */
export interface SubscriptionLimits {
  /** Open (acknowledged) sockets per principal; one more is closed with 4429 TOO_MANY_CONNECTIONS. */
  maxSocketsPerPrincipal: number;
  /** Active subscriptions per principal over all its sockets; one more is refused with TOO_MANY_SUBSCRIPTIONS. */
  maxSubscriptionsPerPrincipal: number;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = { maxSocketsPerPrincipal: 10, maxSubscriptionsPerPrincipal: 100 };

const positiveInt = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000).default(fallback);

/** `SUBSCRIPTIONS_MAX_SOCKETS_PER_PRINCIPAL` (10) and `SUBSCRIPTIONS_MAX_PER_PRINCIPAL` (100), read by the standalone gateway and `npm start`. */
export const subscriptionLimitsEnvShape = {
  SUBSCRIPTIONS_MAX_SOCKETS_PER_PRINCIPAL: positiveInt(DEFAULT_SUBSCRIPTION_LIMITS.maxSocketsPerPrincipal),
  SUBSCRIPTIONS_MAX_PER_PRINCIPAL: positiveInt(DEFAULT_SUBSCRIPTION_LIMITS.maxSubscriptionsPerPrincipal),
};

export function subscriptionLimitsFromEnv(env: { SUBSCRIPTIONS_MAX_SOCKETS_PER_PRINCIPAL: number; SUBSCRIPTIONS_MAX_PER_PRINCIPAL: number }): SubscriptionLimits {
  return { maxSocketsPerPrincipal: env.SUBSCRIPTIONS_MAX_SOCKETS_PER_PRINCIPAL, maxSubscriptionsPerPrincipal: env.SUBSCRIPTIONS_MAX_PER_PRINCIPAL };
}
