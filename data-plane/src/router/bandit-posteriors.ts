import type { ArmPosterior } from './strategies/bandit';

/**
 * What the bandits learned, keyed by (tenant, route name, upstream) rather than by route
 * definition: a route update keeps the posteriors of the upstreams it still lists, and two
 * tenants sharing a platform route learn separately, each from its own traffic and feedback.
 */
export interface BanditPosteriors {
  /** The live upstream → posterior map of one (tenant, route), created on first use. */
  arms(tenantId: string, route: string): Map<string, ArmPosterior>;
  /** A copy of one posterior; undefined before any observation. */
  posterior(tenantId: string, route: string, upstream: string): ArmPosterior | undefined;
}

export function createBanditPosteriors(): BanditPosteriors {
  const byRoute = new Map<string, Map<string, ArmPosterior>>();
  // NUL cannot occur in a tenant id or route name, so the pair key is unambiguous.
  const routeKey = (tenantId: string, route: string): string => `${tenantId}\u0000${route}`;
  return {
    arms(tenantId, route) {
      const key = routeKey(tenantId, route);
      let arms = byRoute.get(key);
      if (!arms) {
        arms = new Map();
        byRoute.set(key, arms);
      }
      return arms;
    },
    posterior(tenantId, route, upstream) {
      const found = byRoute.get(routeKey(tenantId, route))?.get(upstream);
      return found ? { ...found } : undefined;
    },
  };
}
