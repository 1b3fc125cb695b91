import type { LatencyView } from './strategies/strategy';

/**
 * Latency per upstream: a peak-EWMA (Finagle) for load balancing and a ring of recent samples
 * for percentiles (hedge delays, p99 constraints). Time to first event is what we measure:
 * it is what a streaming client waits for, and what decides fail-over and hedging.
 */
export interface UpstreamStats extends LatencyView {
  /** An attempt starts: counts towards in-flight load. */
  started(key: string): void;
  /** An attempt ends; `latencyMs` is its time to first event when it got that far. */
  finished(key: string, now: number, latencyMs?: number): void;
  percentile(key: string, p: number): number | undefined;
}

interface Entry {
  ewma: number;
  stampedAt: number;
  inFlight: number;
  samples: number[];
  next: number;
}

export interface UpstreamStatsOptions {
  /** EWMA decay time constant (default 10 s). */
  decayMs?: number;
  /** Samples kept per upstream for percentiles (default 256). */
  window?: number;
}

export function createUpstreamStats(options: UpstreamStatsOptions = {}): UpstreamStats {
  const decayMs = options.decayMs ?? 10_000;
  const window = options.window ?? 256;
  const entries = new Map<string, Entry>();
  const entry = (key: string): Entry => {
    let found = entries.get(key);
    if (!found) {
      found = { ewma: 0, stampedAt: 0, inFlight: 0, samples: [], next: 0 };
      entries.set(key, found);
    }
    return found;
  };
  const decayed = (e: Entry, now: number): number => e.ewma * Math.exp(-Math.max(0, now - e.stampedAt) / decayMs);

  return {
    started(key) {
      entry(key).inFlight += 1;
    },
    finished(key, now, latencyMs) {
      const e = entry(key);
      e.inFlight = Math.max(0, e.inFlight - 1);
      if (latencyMs === undefined) return;
      // Peak: a slow sample takes effect at once; recovery decays with time, not sample count.
      const current = decayed(e, now);
      const weight = Math.exp(-Math.max(0, now - e.stampedAt) / decayMs);
      e.ewma = latencyMs > current ? latencyMs : current * weight + latencyMs * (1 - weight);
      e.stampedAt = now;
      if (e.samples.length < window) e.samples.push(latencyMs);
      else e.samples[e.next] = latencyMs;
      e.next = (e.next + 1) % window;
    },
    loadCost(key, now) {
      const e = entries.get(key);
      if (!e) return 0;
      return decayed(e, now) * (e.inFlight + 1);
    },
    percentile(key, p) {
      const samples = entries.get(key)?.samples;
      if (!samples || samples.length === 0) return undefined;
      const sorted = [...samples].sort((a, b) => a - b);
      const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
      return sorted[rank];
    },
  };
}
