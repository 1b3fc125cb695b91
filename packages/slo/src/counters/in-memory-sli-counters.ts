import type { Counts } from '../burn-rate';
import { bucketsAt, bucketsForWindow, DEFAULT_TIERS, type BucketTier } from './bucket-plan';
import { EVENT_ID_TTL_SECONDS, type SliCounters } from './sli-counters';

interface Cell extends Counts {
  expiresAtMs: number;
}

/** The embedded default (one process, in-process bus): same buckets, retention and replay rule as Redis. */
export function createInMemorySliCounters(options: { tiers?: readonly BucketTier[] } = {}): SliCounters & { size(): number } {
  const tiers = options.tiers ?? DEFAULT_TIERS;
  const retain = new Map(tiers.map((t) => [t.seconds, t.retainSeconds]));
  const cells = new Map<string, Cell>();
  const seen = new Map<string, number>();
  const key = (series: string, tierSeconds: number, index: number) => `${series}|${tierSeconds}|${index}`;
  let lastPruneMs = 0;

  const prune = (nowMs: number) => {
    // Once a minute at most: expiry is what keeps memory bounded, not a hot-path concern.
    if (nowMs - lastPruneMs < 60_000) return;
    lastPruneMs = nowMs;
    for (const [k, cell] of cells) if (cell.expiresAtMs <= nowMs) cells.delete(k);
    for (const [id, expiresAtMs] of seen) if (expiresAtMs <= nowMs) seen.delete(id);
  };

  const addOne = (series: string, at: Date, counts: Counts, nowMs: number) => {
    for (const bucket of bucketsAt(at.getTime(), tiers)) {
      const k = key(series, bucket.tierSeconds, bucket.index);
      const cell = cells.get(k);
      // Like Redis EXPIRE on every write: the bucket lives retainSeconds past its last write.
      const expiresAtMs = Math.max(cell?.expiresAtMs ?? 0, nowMs + (retain.get(bucket.tierSeconds) ?? 0) * 1000);
      cells.set(k, { good: (cell?.good ?? 0) + counts.good, total: (cell?.total ?? 0) + counts.total, expiresAtMs });
    }
  };

  return {
    record(eventId, adds) {
      const nowMs = Date.now();
      if ((seen.get(eventId) ?? 0) > nowMs) return Promise.resolve(false);
      seen.set(eventId, nowMs + EVENT_ID_TTL_SECONDS * 1000);
      for (const add of adds) addOne(add.series, add.at, add.counts, nowMs);
      prune(nowMs);
      return Promise.resolve(true);
    },
    totals(series, now, windowsSeconds) {
      const nowMs = Date.now();
      const result = new Map<number, Counts>();
      for (const window of windowsSeconds) {
        const sum: Counts = { good: 0, total: 0 };
        for (const bucket of bucketsForWindow(now.getTime(), window, tiers)) {
          const cell = cells.get(key(series, bucket.tierSeconds, bucket.index));
          if (cell === undefined || cell.expiresAtMs <= nowMs) continue;
          sum.good += cell.good;
          sum.total += cell.total;
        }
        result.set(window, sum);
      }
      return Promise.resolve(result);
    },
    size: () => cells.size,
  };
}
