import type { Bus, Unsubscribe } from '@switchyard/bus';
import { BANDIT_PRIORS_CHANGED_CHANNEL, banditPriorsChangedMessageSchema } from '@switchyard/events/optimizer';
import { createTenantSnapshotCache } from '../tenant-snapshot/tenant-snapshot-cache';
import type { Random } from './random';
import type { BetaParameters } from './strategies/strategy';

/** The cost optimizer's priors of one route: the active ones, and a canary that ranks `share` of requests. */
export interface RoutePriors {
  active: ReadonlyMap<string, BetaParameters>;
  canary?: { share: number; arms: ReadonlyMap<string, BetaParameters> } | undefined;
}

/** One tenant's priors by route name. */
export type TenantPriors = ReadonlyMap<string, RoutePriors>;

/** What the router asks: one Map lookup per request, never a database read. */
export interface BanditPriorLookup {
  forRoute(tenantId: string, route: string): RoutePriors | undefined;
}

export type PriorCohort = 'active' | 'canary';

/**
 * Which priors rank this request: the canary's with probability `share`, else the active ones
 * (an empty active set means Beta(1, 1), as without an optimizer). Pure but for `random`.
 */
export function pickPriors(priors: RoutePriors | undefined, random: Random): { cohort: PriorCohort; arms: ReadonlyMap<string, BetaParameters> } | undefined {
  if (!priors) return undefined;
  if (priors.canary && random() < priors.canary.share) return { cohort: 'canary', arms: priors.canary.arms };
  return { cohort: 'active', arms: priors.active };
}

/** Where priors come from (Postgres: stores.ts reads bandit_priors). */
export interface BanditPriorSource {
  loadAll(): Promise<Map<string, TenantPriors>>;
  /** One tenant's priors; undefined when it has none. */
  load(tenantId: string): Promise<TenantPriors | undefined>;
}

export interface BanditPriorsCache extends BanditPriorLookup {
  loadAll(): Promise<void>;
  subscribe(bus: Bus): Promise<Unsubscribe>;
}

/** Per-replica priors, loaded before serving and reloaded per tenant on `bandit-priors.changed`. */
export function createBanditPriorsCache(options: { source: BanditPriorSource; onReloadError?: (tenantId: string, error: unknown, attempt: number) => void }): BanditPriorsCache {
  const cache = createTenantSnapshotCache<TenantPriors>({
    channel: BANDIT_PRIORS_CHANGED_CHANNEL,
    messageSchema: banditPriorsChangedMessageSchema,
    load: (tenantId) => options.source.load(tenantId),
    startup: { loadEvery: () => options.source.loadAll() },
    onReloadError: options.onReloadError,
  });
  return {
    forRoute: (tenantId, route) => cache.get(tenantId)?.get(route),
    loadAll: cache.loadAll,
    subscribe: cache.subscribe,
  };
}

/** Rows of bandit_priors (any order) as per-tenant priors. */
export function tenantPriorsOf(rows: readonly { tenantId: string; route: string; upstream: string; stage: string; alpha: number; beta: number; canaryShare: number | null }[]): Map<string, TenantPriors> {
  const byTenant = new Map<string, Map<string, { active: Map<string, BetaParameters>; canary?: { share: number; arms: Map<string, BetaParameters> } }>>();
  for (const row of rows) {
    let routes = byTenant.get(row.tenantId);
    if (!routes) byTenant.set(row.tenantId, (routes = new Map()));
    let route = routes.get(row.route);
    if (!route) routes.set(row.route, (route = { active: new Map() }));
    const parameters = { alpha: row.alpha, beta: row.beta };
    if (row.stage === 'canary') {
      route.canary ??= { share: row.canaryShare ?? 0, arms: new Map() };
      route.canary.arms.set(row.upstream, parameters);
    } else if (row.stage === 'active') route.active.set(row.upstream, parameters);
  }
  return byTenant;
}
