import type { Bus } from '@switchyard/bus';
import { SLO_THROTTLE_CHANNEL, sloThrottleMessageSchema } from '@switchyard/events/slo';

/** What a replica engages the throttle from: a route of a tenant, by the SLOs that page on it. */
export interface EngagedThrottle {
  tenantId: string;
  route: string;
  sloId: string;
}

/**
 * The SLO auto-throttle as the request path sees it: while an SLO of a tenant's route pages, that
 * route's `batch` requests are refused (503 `slo_throttled`), so interactive traffic keeps the
 * capacity the burn says is short. Engaged and released by the SLO evaluator over the bus; a route
 * stays throttled while any of its SLOs pages.
 */
export interface SloThrottle {
  throttles(tenantId: string, route: string): boolean;
  apply(change: EngagedThrottle & { action: 'engage' | 'release' }): void;
  /** How many (tenant, route) pairs are throttled now. */
  size(): number;
}

export function createSloThrottle(initial: readonly EngagedThrottle[] = []): SloThrottle {
  // tenant + NUL + route → the SLO ids paging on it (NUL cannot occur in either).
  const engaged = new Map<string, Set<string>>();
  const keyOf = (tenantId: string, route: string) => `${tenantId}\u0000${route}`;
  const throttle: SloThrottle = {
    throttles: (tenantId, route) => engaged.has(keyOf(tenantId, route)),
    apply(change) {
      const key = keyOf(change.tenantId, change.route);
      const slos = engaged.get(key) ?? new Set<string>();
      if (change.action === 'engage') slos.add(change.sloId);
      else slos.delete(change.sloId);
      if (slos.size > 0) engaged.set(key, slos);
      else engaged.delete(key);
    },
    size: () => engaged.size,
  };
  for (const entry of initial) throttle.apply({ ...entry, action: 'engage' });
  return throttle;
}

/** Applies the evaluator's engage/release messages; malformed ones are ignored (they can come from anything on the bus). */
export function subscribeSloThrottle(bus: Pick<Bus, 'subscribe'>, throttle: SloThrottle, logger: { warn(fields: object, message: string): void }) {
  return bus.subscribe(SLO_THROTTLE_CHANNEL, (message) => {
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      json = undefined;
    }
    const parsed = sloThrottleMessageSchema.safeParse(json);
    if (!parsed.success) {
      logger.warn({ channel: SLO_THROTTLE_CHANNEL }, 'ignoring a malformed SLO throttle message');
      return;
    }
    throttle.apply(parsed.data);
    logger.warn({ tenantId: parsed.data.tenantId, route: parsed.data.route, sloId: parsed.data.sloId, action: parsed.data.action }, 'SLO auto-throttle changed');
  });
}
