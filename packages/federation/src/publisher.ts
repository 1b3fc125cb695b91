import type { SignedDelta, StatsDelta, StatsEntry } from './delta';
import { MAX_DELTA_ENTRIES } from './delta';
import { signDelta, type RegionSigningKey } from './signing';

/** One routed attempt or one feedback score, as the region's data planes report them on its bus. */
export type QualityObservation =
  | { kind: 'outcome'; route: string; upstream: string; success: boolean; latencyMs: number }
  | { kind: 'feedback'; route: string; upstream: string; score: number };

export interface DeltaPublisher {
  /** Counts one observation into the open interval. */
  record(observation: QualityObservation): void;
  /**
   * Closes the interval: signs what it counted as the next version(s) and keeps them for peers to
   * fetch. Nothing counted: nothing signed. Returns the new deltas.
   */
  cut(now: number): SignedDelta[];
  /** The kept deltas with a version above `version`, oldest first, at most `limit`. */
  since(version: number, limit?: number): SignedDelta[];
  /** The newest version signed so far (0 before any). */
  version(): number;
}

export interface DeltaPublisherOptions {
  key: RegionSigningKey;
  /** Deltas kept for peers that were away (default 1,000: at a 5 s interval, 80 minutes of partition). */
  keep?: number;
  /** A restarted coordinator must not reuse versions its peers passed: start above this (default: the clock, in ms). */
  startVersion?: number;
}

/**
 * The region's side of the federation: counts its data planes' observations per (route, upstream)
 * and signs one delta per interval. Versions are the larger of last + 1 and the clock in ms, so a
 * restarted coordinator (which forgot its counter) still publishes versions above what its peers
 * accepted, without storing anything.
 */
export function createDeltaPublisher(options: DeltaPublisherOptions): DeltaPublisher {
  const keep = options.keep ?? 1_000;
  let version = options.startVersion ?? 0;
  const open = new Map<string, StatsEntry>();
  const log: Array<{ version: number; signed: SignedDelta }> = [];

  const entryOf = (route: string, upstream: string): StatsEntry => {
    const key = `${route}\u0000${upstream}`;
    let entry = open.get(key);
    if (!entry) {
      entry = { route, upstream, requests: 0, successes: 0, latencyMsSum: 0, qualitySum: 0, qualityCount: 0 };
      open.set(key, entry);
    }
    return entry;
  };

  return {
    record(observation) {
      const entry = entryOf(observation.route, observation.upstream);
      if (observation.kind === 'outcome') {
        entry.requests += 1;
        if (observation.success) {
          entry.successes += 1;
          entry.latencyMsSum += observation.latencyMs;
        }
      } else {
        entry.qualitySum += Math.min(1, Math.max(0, observation.score));
        entry.qualityCount += 1;
      }
    },
    cut(now) {
      const entries = [...open.values()];
      open.clear();
      const signed: SignedDelta[] = [];
      for (let at = 0; at < entries.length; at += MAX_DELTA_ENTRIES) {
        version = Math.max(version + 1, now);
        const delta: StatsDelta = { region: options.key.region, version, issuedAt: now, entries: entries.slice(at, at + MAX_DELTA_ENTRIES) };
        const one = signDelta(options.key, delta);
        log.push({ version, signed: one });
        signed.push(one);
      }
      if (log.length > keep) log.splice(0, log.length - keep);
      return signed;
    },
    since(after, limit = 100) {
      const out: SignedDelta[] = [];
      for (const kept of log) {
        if (kept.version <= after) continue;
        out.push(kept.signed);
        if (out.length >= limit) break;
      }
      return out;
    },
    version: () => version,
  };
}
