import type { Counts } from '../burn-rate';
import { bucketsAt, bucketsForWindow, DEFAULT_TIERS, type BucketTier } from './bucket-plan';
import type { SliCounters } from './sli-counters';

interface Cell extends Counts {
  expiresAtMs: number;
}

/** The embedded default (one process, in-process bus): same buckets and retention as Redis. */
export function createInMemorySliCounters(options: { tiers?: readonly BucketTier[] } = {}): SliCounters & { size(): number } {
  const tiers = options.tiers ?? DEFAULT_TIERS;
  const retain = new Map(tiers.map((t) => [t.seconds, t.retainSeconds]));
  const cells = new Map<string, Cell>();
  const key = (series: string, tierSeconds: number, index: number) => `${series}|${tierSeconds}|${index}`;
  let lastPruneMs = 0;

  const prune = (nowMs: number) => {
    // Once a minute at most: expiry is what keeps memory bounded, not a hot-path concern.
    if (nowMs - lastPruneMs < 60_000) return;
    lastPruneMs = nowMs;
    for (const [k, cell] of cells) if (cell.expiresAtMs <= nowMs) cells.delete(k);
  };

  return {
    add(series, at, counts) {
      const atMs = at.getTime();
      for (const bucket of bucketsAt(atMs, tiers)) {
        const k = key(series, bucket.tierSeconds, bucket.index);
        const cell = cells.get(k);
        // Like Redis EXPIRE on every write: the bucket lives retainSeconds past its last write.
        const expiresAtMs = Math.max(cell?.expiresAtMs ?? 0, Date.now() + (retain.get(bucket.tierSeconds) ?? 0) * 1000);
        cells.set(k, { good: (cell?.good ?? 0) + counts.good, total: (cell?.total ?? 0) + counts.total, expiresAtMs });
      }
      prune(Date.now());
      return Promise.resolve();
    },
    totals(series, now, windowsSeconds) {
      const result = new Map<number, Counts>();
      for (const window of windowsSeconds) {
        const sum: Counts = { good: 0, total: 0 };
        for (const bucket of bucketsForWindow(now.getTime(), window, tiers)) {
          const cell = cells.get(key(series, bucket.tierSeconds, bucket.index));
          if (cell === undefined || cell.expiresAtMs <= Date.now()) continue;
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
