import { FEDERATION_VIEW_FORMAT, MAX_FEDERATION_VIEW_ENTRIES, type FederationViewEntry, type FederationViewMessage } from '@switchyard/events/federation';
import type { FederatedStats } from './merge';

export interface FederationViewOptions {
  /** This region (the bus the view is published on). */
  region: string;
  /** The platform routes this region shares: the only ones its data planes get a view of. */
  routes: ReadonlySet<string>;
  version: number;
  now: number;
  ttlMs: number;
  /** When this coordinator last applied a delta from `region` (its own clock); undefined: not since it started. */
  heardAt: (region: string) => number | undefined;
  /** A region not heard from for longer (a partition, a region gone) no longer counts: its old evidence must not steer forever. */
  maxSilenceMs: number;
}

/**
 * What the region's data planes get from the federation (pure): the merged view of the other
 * regions' evidence on this region's platform routes, leaving out regions silent for too long.
 * Bounded: when there are more entries than a message may carry, the ones backed by the most
 * traffic are kept.
 */
export function buildFederationView(stats: Pick<FederatedStats, 'keys' | 'view'>, options: FederationViewOptions): FederationViewMessage {
  const fresh = (region: string): boolean => {
    const heard = options.heardAt(region);
    return heard !== undefined && options.now - heard <= options.maxSilenceMs;
  };
  const entries: FederationViewEntry[] = [];
  for (const { route, upstream } of stats.keys()) {
    if (!options.routes.has(route)) continue;
    const view = stats.view(route, upstream, fresh);
    if (!view) continue;
    entries.push({
      route,
      upstream,
      successRate: clamp01(view.successRate),
      latencyMs: view.latencyMs === null ? null : Math.min(86_400_000, Math.max(0, view.latencyMs)),
      quality: view.quality === null ? null : clamp01(view.quality),
      volume: Math.min(1e12, Math.max(0, view.volume)),
      regions: view.regions.slice(0, 64),
    });
  }
  entries.sort((a, b) => b.volume - a.volume);
  return { format: FEDERATION_VIEW_FORMAT, region: options.region, version: options.version, issuedAt: options.now, ttlMs: options.ttlMs, entries: entries.slice(0, MAX_FEDERATION_VIEW_ENTRIES) };
}

const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));
