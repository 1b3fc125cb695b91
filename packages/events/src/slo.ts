import { z } from 'zod';

/**
 * Pub/sub: key-only hint that a tenant's SLOs or their status changed (a write, an evaluation
 * round, a transition); the gateway turns it into `slosUpdated`. Message: JSON `{ tenantId }`.
 */
export const SLO_CHANGED_CHANNEL = 'switchyard:slo.changed';

export const sloChangedMessageSchema = z.object({ tenantId: z.string().min(1).max(100) });

/**
 * Pub/sub: the auto-throttle. A fast burn of a route's SLO engages it (every data-plane replica
 * sheds the route's lowest QoS class for the tenant); the burn ending releases it. Replicas that
 * start later read the engaged set from the database (latest transition per SLO), so a missed
 * message heals at the next transition or restart.
 */
export const SLO_THROTTLE_CHANNEL = 'switchyard:slo.throttle';

export const sloThrottleMessageSchema = z.object({
  tenantId: z.string().uuid(),
  /** The route (or plain model) name the SLO covers. */
  route: z.string().min(1).max(256),
  sloId: z.string().uuid(),
  action: z.enum(['engage', 'release']),
  /** The QoS class shed while engaged. */
  shedClass: z.enum(['batch']),
  /** ISO-8601 time of the transition. */
  at: z.iso.datetime(),
});
export type SloThrottleMessage = z.infer<typeof sloThrottleMessageSchema>;
