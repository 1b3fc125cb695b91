import { clusterKeyTag, openRedis, type RedisConnection } from '@switchyard/redis-connection';
import type { Counts } from '../burn-rate';
import { bucketsAt, bucketsForWindow, DEFAULT_TIERS, type BucketTier } from './bucket-plan';
import { EVENT_ID_TTL_SECONDS, type SliAdd, type SliCounters } from './sli-counters';

/**
 * Marks the event id in one series and adds its counts there in one script, so a replay adds
 * nothing and a crash cannot leave the id marked without its counts (or the counts without the id).
 * KEYS[1] the event id's marker in the series, KEYS[2..] the series' bucket hashes; ARGV[1] the
 * marker's TTL, then per bucket good, total, TTL.
 */
const RECORD_ONCE = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
for i = 2, #KEYS do
  local a = (i - 2) * 3 + 2
  redis.call('HINCRBY', KEYS[i], 'g', ARGV[a])
  redis.call('HINCRBY', KEYS[i], 't', ARGV[a + 1])
  redis.call('EXPIRE', KEYS[i], ARGV[a + 2])
end
return 1`;

export interface RedisSliCountersOptions {
  /** REDIS_KEY_PREFIX (tests isolate runs with it). */
  keyPrefix?: string;
  tiers?: readonly BucketTier[];
}

/**
 * One hash per series and bucket, `<prefix>switchyard:sli:{<series>}:<tier seconds>:<index>` with
 * fields `g` and `t`, incremented by one script per event and series (replays count once) on every
 * replica and expiring after the tier's retention; a window is one pipelined HMGET per bucket it
 * covers. The series is every key's Redis Cluster hash tag, and the replay marker is kept per series
 * (`{<series>}:seen:<event id>`), so each script and each window's pipeline stays in one slot.
 */
export function createRedisSliCounters(connection: string | RedisConnection, options: RedisSliCountersOptions = {}): SliCounters & { close(): Promise<void> } {
  const owned = typeof connection === 'string';
  const redis = owned ? openRedis(connection) : connection;
  const tiers = options.tiers ?? DEFAULT_TIERS;
  const retain = new Map(tiers.map((t) => [t.seconds, t.retainSeconds]));
  const prefix = `${options.keyPrefix ?? ''}switchyard:sli:`;
  const key = (series: string, tierSeconds: number, index: number) => `${prefix}${clusterKeyTag(series)}:${tierSeconds}:${index}`;
  const toInt = (value: string | null) => (value === null ? 0 : Number.parseInt(value, 10) || 0);

  async function recordInSeries(eventId: string, series: string, adds: readonly SliAdd[]): Promise<boolean> {
    const keys = [`${prefix}${clusterKeyTag(series)}:seen:${eventId}`];
    const args: Array<string | number> = [EVENT_ID_TTL_SECONDS];
    for (const add of adds) {
      for (const bucket of bucketsAt(add.at.getTime(), tiers)) {
        keys.push(key(add.series, bucket.tierSeconds, bucket.index));
        args.push(add.counts.good, add.counts.total, retain.get(bucket.tierSeconds) ?? 0);
      }
    }
    return (await redis.eval(RECORD_ONCE, keys.length, ...keys, ...args)) === 1;
  }

  return {
    async record(eventId, adds) {
      const bySeries = new Map<string, SliAdd[]>();
      for (const add of adds) bySeries.set(add.series, [...(bySeries.get(add.series) ?? []), add]);
      // One script per series (each in its own slot). A replay finds each series already marked;
      // one interrupted half-way is completed by its redelivery. The answer is the first series'
      // (in a fixed order), so of concurrent deliveries of one event exactly one answers true.
      const ordered = [...bySeries.keys()].sort();
      const recorded = await Promise.all(ordered.map((series) => recordInSeries(eventId, series, bySeries.get(series) ?? [])));
      return recorded[0] ?? false;
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
