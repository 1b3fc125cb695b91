import type { Bus, Unsubscribe } from '@switchyard/bus';
import { FEDERATION_VIEW_CHANNEL, parseFederationViewMessage, type FederationViewMessage } from '@switchyard/events/federation';
import type { FederatedEvidence } from './federated-prior';

/** What the router asks per request: one Map lookup, never I/O. */
export interface FederatedViewLookup {
  /** Other regions' evidence about `upstream` on the platform route `route`; undefined when there is none (or it expired). */
  evidence(route: string, upstream: string): FederatedEvidence | undefined;
}

export type ViewOutcome = 'applied' | 'malformed' | 'other_region' | 'stale';

export interface FederatedViewCache extends FederatedViewLookup {
  /** Takes a view if it is newer than the one held (or that one expired). */
  apply(view: FederationViewMessage): ViewOutcome;
  /** Follows the region coordinator's `federation.view` on the region's bus; `onMessage` hears what became of each message. */
  subscribe(bus: Pick<Bus, 'subscribe'>, onMessage?: (outcome: ViewOutcome) => void): Promise<Unsubscribe>;
}

export interface FederatedViewCacheOptions {
  /** This data plane's region (SWITCHYARD_REGION): a view published for another region is ignored. Unset: any. */
  region?: string | undefined;
  clock?: () => number;
}

/**
 * The newest federation view this replica received from its region's coordinator. The view is
 * replaced whole (each message carries all of it); an older version arriving late is ignored, and
 * a view is forgotten `ttlMs` after it arrived, so a coordinator that stopped publishing stops
 * steering within that time (each replica counts from its own clock: no clock skew between hosts).
 */
export function createFederatedViewCache(options: FederatedViewCacheOptions = {}): FederatedViewCache {
  const clock = options.clock ?? Date.now;
  let held: { version: number; expiresAt: number; entries: Map<string, FederatedEvidence> } | undefined;
  const keyOf = (route: string, upstream: string) => `${route}\u0000${upstream}`;

  const apply = (view: FederationViewMessage): ViewOutcome => {
    if (options.region !== undefined && view.region !== options.region) return 'other_region';
    const now = clock();
    if (held && now <= held.expiresAt && view.version <= held.version) return 'stale';
    const entries = new Map<string, FederatedEvidence>();
    for (const entry of view.entries) entries.set(keyOf(entry.route, entry.upstream), { successRate: entry.successRate, latencyMs: entry.latencyMs, quality: entry.quality, volume: entry.volume });
    held = { version: view.version, expiresAt: now + view.ttlMs, entries };
    return 'applied';
  };

  return {
    evidence(route, upstream) {
      if (!held || clock() > held.expiresAt) return undefined;
      return held.entries.get(keyOf(route, upstream));
    },
    apply,
    subscribe: (bus, onMessage) =>
      bus.subscribe(FEDERATION_VIEW_CHANNEL, (message) => {
        const view = parseFederationViewMessage(message);
        const outcome = view ? apply(view) : 'malformed';
        onMessage?.(outcome);
      }),
  };
}
