import { Redis } from 'ioredis';
import type { Counts } from '../burn-rate';
import { bucketsAt, bucketsForWindow, DEFAULT_TIERS, type BucketTier } from './bucket-plan';
import type { SliCounters } from './sli-counters';

export interface RedisSliCountersOptions {
  /** REDIS_KEY_PREFIX (tests isolate runs with it). */
  keyPrefix?: string;
  tiers?: readonly BucketTier[];
}

/**
 * One hash per series and bucket, `<prefix>switchyard:sli:<series>:<tier seconds>:<index>` with
 * fields `g` and `t`, incremented atomically (MULTI) on every replica and expiring after the tier's
 * retention; a window is one pipelined HMGET per bucket it covers.
 */
export function createRedisSliCounters(connection: string | Redis, options: RedisSliCountersOptions = {}): SliCounters & { close(): Promise<void> } {
  const owned = typeof connection === 'string';
  const redis = owned ? new Redis(connection, { maxRetriesPerRequest: 3, enableAutoPipelining: true }) : connection;
  // ioredis reports each reconnect attempt as an error event; callers see failures through their commands.
  if (owned) redis.on('error', () => undefined);
  const tiers = options.tiers ?? DEFAULT_TIERS;
  const retain = new Map(tiers.map((t) => [t.seconds, t.retainSeconds]));
  const prefix = `${options.keyPrefix ?? ''}switchyard:sli:`;
  const key = (series: string, tierSeconds: number, index: number) => `${prefix}${series}:${tierSeconds}:${index}`;
  const toInt = (value: string | null) => (value === null ? 0 : Number.parseInt(value, 10) || 0);

  return {
    async add(series, at, counts) {
      const multi = redis.multi();
      for (const bucket of bucketsAt(at.getTime(), tiers)) {
        const k = key(series, bucket.tierSeconds, bucket.index);
        multi.hincrby(k, 'g', counts.good).hincrby(k, 't', counts.total).expire(k, retain.get(bucket.tierSeconds) ?? 0);
      }
      await multi.exec();
    },
    async totals(series, now, windowsSeconds) {
      const plans = windowsSeconds.map((window) => ({ window, buckets: bucketsForWindow(now.getTime(), window, tiers) }));
      const pipeline = redis.pipeline();
      for (const plan of plans) for (const b of plan.buckets) pipeline.hmget(key(series, b.tierSeconds, b.index), 'g', 't');
      const replies = (await pipeline.exec()) ?? [];
      const result = new Map<number, Counts>();
      let at = 0;
      for (const plan of plans) {
        const sum: Counts = { good: 0, total: 0 };
        for (let i = 0; i < plan.buckets.length; i += 1) {
          const reply = replies[at];
          at += 1;
          if (reply === undefined) continue;
          const [error, value] = reply;
          if (error) throw error;
          const [g, t] = value as [string | null, string | null];
          sum.good += toInt(g);
          sum.total += toInt(t);
        }
        result.set(plan.window, sum);
      }
      return result;
    },
    async close() {
      if (owned) await redis.quit();
    },
  };
}
