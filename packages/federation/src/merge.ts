import type { StatsDelta, StatsEntry } from './delta';

/**
 * The damped merge of other regions' deltas (pure: no I/O, no clock). Per (source region, route,
 * upstream) it keeps an exponentially smoothed estimate of success rate, latency and quality:
 *
 *   estimate += clamp(alpha · (observed − estimate), ±maxStep),  alpha = maxAlpha · min(1, n / fullWeightRequests)
 *
 * - `alpha` (≤ maxAlpha) is why noise averages out: one interval moves the estimate by a fraction
 *   of its surprise, and an interval with few requests by even less.
 * - the step clamp is why no single delta, however extreme (a broken or hostile region), moves an
 *   estimate by more than `maxStep` (latency: by more than a factor `maxLatencyFactor`); an
 *   adversary alternating extremes makes the estimate wobble by at most one step, not swing.
 * - versions: per region strictly increasing; a version at or below the last applied one is a
 *   replay or stale and changes nothing. A gap is fine (the transport fetches what it missed
 *   when it can; estimates only lose some evidence when it cannot).
 *
 * Several regions' estimates of one (route, upstream) are combined weighted by their smoothed
 * request volume, so conflicting regions meet at a traffic-weighted middle instead of the last
 * writer winning.
 */
export interface MergeOptions {
  /** The largest fraction of the surprise one delta applies (default 0.2). */
  maxAlpha: number;
  /** Requests at which a delta gets the full `maxAlpha` (default 200). */
  fullWeightRequests: number;
  /** Largest change of a success rate or quality score per delta (default 0.05). */
  maxStep: number;
  /** Largest factor a latency estimate moves by per delta (default 1.25). */
  maxLatencyFactor: number;
}

export const DEFAULT_MERGE_OPTIONS: MergeOptions = Object.freeze({ maxAlpha: 0.2, fullWeightRequests: 200, maxStep: 0.05, maxLatencyFactor: 1.25 });

/** One region's smoothed view of one upstream on one route. */
export interface SmoothedStats {
  successRate: number;
  latencyMs: number | null;
  quality: number | null;
  /** Smoothed requests per delta: the weight of this region's view when regions are combined. */
  volume: number;
}

/** Every other region's combined view of one upstream on one route. */
export interface FederatedView extends SmoothedStats {
  /** Regions that contributed. */
  regions: string[];
}

export type ApplyResult = { applied: true; entries: number } | { applied: false; reason: 'own_region' | 'replayed_or_stale' };

export interface FederatedStats {
  /** Applies a delta whose signature was already verified. */
  apply(delta: StatsDelta): ApplyResult;
  /** The highest version applied per region (what a poller asks to continue after). */
  lastVersion(region: string): number;
  /** `include`: which source regions count (the coordinator leaves out regions it has not heard from for too long). */
  view(route: string, upstream: string, include?: (region: string) => boolean): FederatedView | undefined;
  /** Every (route, upstream) with a view. */
  keys(): Array<{ route: string; upstream: string }>;
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

export function createFederatedStats(localRegion: string, options: Partial<MergeOptions> = {}): FederatedStats {
  const o: MergeOptions = { ...DEFAULT_MERGE_OPTIONS, ...options };
  const versions = new Map<string, number>();
  // route NUL upstream → region → estimate. NUL cannot occur in route or upstream names.
  const estimates = new Map<string, Map<string, SmoothedStats>>();
  const keyOf = (route: string, upstream: string) => `${route}\u0000${upstream}`;

  const smooth = (current: number, observed: number, alpha: number) => current + clamp(alpha * (observed - current), -o.maxStep, o.maxStep);
  const smoothLatency = (current: number, observed: number, alpha: number) => {
    const next = current + alpha * (observed - current);
    return clamp(next, current / o.maxLatencyFactor, current * o.maxLatencyFactor);
  };

  const applyEntry = (region: string, entry: StatsEntry) => {
    if (entry.requests === 0) return;
    const key = keyOf(entry.route, entry.upstream);
    let byRegion = estimates.get(key);
    if (!byRegion) {
      byRegion = new Map();
      estimates.set(key, byRegion);
    }
    const success = entry.successes / entry.requests;
    const latency = entry.successes > 0 ? entry.latencyMsSum / entry.successes : null;
    const quality = entry.qualityCount > 0 ? entry.qualitySum / entry.qualityCount : null;
    const alpha = o.maxAlpha * Math.min(1, entry.requests / o.fullWeightRequests);
    const current = byRegion.get(region);
    if (!current) {
      // The first evidence from a region starts from neutral ground, not from its claim: even a
      // first delta moves a view by at most one step from an even success rate.
      byRegion.set(region, {
        successRate: smooth(0.5, success, alpha),
        latencyMs: latency,
        quality: quality === null ? null : smooth(0.5, quality, alpha),
        volume: entry.requests,
      });
      return;
    }
    current.successRate = smooth(current.successRate, success, alpha);
    if (latency !== null) current.latencyMs = current.latencyMs === null ? latency : smoothLatency(current.latencyMs, latency, alpha);
    if (quality !== null) current.quality = smooth(current.quality ?? 0.5, quality, alpha);
    current.volume += o.maxAlpha * (entry.requests - current.volume);
  };

  return {
    apply(delta) {
      if (delta.region === localRegion) return { applied: false, reason: 'own_region' };
      if (delta.version <= (versions.get(delta.region) ?? 0)) return { applied: false, reason: 'replayed_or_stale' };
      versions.set(delta.region, delta.version);
      for (const entry of delta.entries) applyEntry(delta.region, entry);
      return { applied: true, entries: delta.entries.length };
    },
    lastVersion: (region) => versions.get(region) ?? 0,
    view(route, upstream, include) {
      const all = estimates.get(keyOf(route, upstream));
      const byRegion = include && all ? new Map([...all].filter(([region]) => include(region))) : all;
      if (!byRegion || byRegion.size === 0) return undefined;
      let weight = 0;
      let success = 0;
      let latency = 0;
      let latencyWeight = 0;
      let quality = 0;
      let qualityWeight = 0;
      for (const stats of byRegion.values()) {
        const w = Math.max(stats.volume, 1e-9);
        weight += w;
        success += w * stats.successRate;
        if (stats.latencyMs !== null) {
          latency += w * stats.latencyMs;
          latencyWeight += w;
        }
        if (stats.quality !== null) {
          quality += w * stats.quality;
          qualityWeight += w;
        }
      }
      return {
        successRate: success / weight,
        latencyMs: latencyWeight > 0 ? latency / latencyWeight : null,
        quality: qualityWeight > 0 ? quality / qualityWeight : null,
        volume: weight,
        regions: [...byRegion.keys()].sort(),
      };
    },
    keys: () =>
      [...estimates.keys()].map((key) => {
        const [route = '', upstream = ''] = key.split('\u0000');
        return { route, upstream };
      }),
  };
}
