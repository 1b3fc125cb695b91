import { openRedis } from '@switchyard/redis-connection';
import type { RedisOptions } from 'ioredis';
import { validateRateLimit, validateSettlement } from './gcra';
import type { RateLimitCheck, RateLimitDecision, RateLimiter } from './rate-limiter';

/**
 * Every limit of a request in one Lua script, all or nothing: read each key's TAT, decide each
 * check in order, and write the new TATs only when every check is admitted. One EVALSHA per
 * request instead of one round trip per limit, and no partial charge when a later limit refuses.
 *
 * Why GCRA rather than a token bucket: both admit the same traffic (GCRA is a token bucket with
 * continuous refill, seen from the other side), but GCRA stores one number per key (the
 * theoretical arrival time) where a bucket stores two (tokens and last refill), so the script
 * does one GET and one SET PX per limit, keys expire by themselves once idle, and there is no
 * window boundary to stampede at. The clock is the Redis server's TIME, so replicas of the data
 * plane with skewed clocks still agree. Times inside the script are microseconds (integers fit a
 * double exactly up to 2^53). On a Redis Cluster every key of one script must hash to one slot:
 * the callers' keys carry their tenant as a hash tag (`limitKeys` in enforce-limits.ts), so all
 * of a request's limits, and its settlement, meet on the master of that tenant's slot.
 *
 * KEYS[i]: limit keys. ARGV[3i-2..3i]: emission interval (µs), tolerance (µs), cost of check i.
 * Reply: {allowed, remaining, retry_after_ms} per check, flattened.
 */
const GCRA_ALL_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tats = {}
local out = {}
local refused = false
for i = 1, #KEYS do
  local key = KEYS[i]
  local emission = tonumber(ARGV[3 * i - 2])
  local tolerance = tonumber(ARGV[3 * i - 1])
  local cost = tonumber(ARGV[3 * i])
  local tat = tats[key]
  if tat == nil then
    local stored = redis.call('GET', key)
    tat = now
    if stored then tat = math.max(tonumber(stored), now) end
  end
  local new_tat = tat + emission * cost
  local allow_at = new_tat - tolerance
  if now < allow_at then
    refused = true
    local remaining = math.floor((tolerance - (tat - now)) / emission)
    if remaining < 0 then remaining = 0 end
    out[3 * i - 2] = 0
    out[3 * i - 1] = remaining
    out[3 * i] = math.ceil((allow_at - now) / 1000)
    tats[key] = tat
  else
    local remaining = math.floor((tolerance - (new_tat - now)) / emission)
    if remaining < 0 then remaining = 0 end
    out[3 * i - 2] = 1
    out[3 * i - 1] = remaining
    out[3 * i] = 0
    tats[key] = new_tat
  end
end
if refused then
  -- Nothing is charged: an admitted check reports what it has left without this request.
  for i = 1, #KEYS do
    if out[3 * i - 2] == 1 then out[3 * i - 1] = out[3 * i - 1] + tonumber(ARGV[3 * i]) end
  end
  return out
end
for key, tat in pairs(tats) do
  local ttl_ms = math.ceil((tat - now) / 1000)
  if ttl_ms > 0 then redis.call('SET', key, string.format('%.0f', tat), 'PX', ttl_ms) end
end
return out
`;

/**
 * Settles reservations (see `RateLimiter.settle` and `gcraSettle` in gcra.ts, which this
 * transcribes): each key's TAT moves by `delta` units, never below now; a key left at or below
 * now is deleted (as good as fresh). Atomic with every other script on the keys.
 *
 * KEYS[i]: limit keys. ARGV[2i-1..2i]: emission interval (µs), delta (units, signed) of settlement i.
 */
const SETTLE_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for i = 1, #KEYS do
  local key = KEYS[i]
  local emission = tonumber(ARGV[2 * i - 1])
  local delta = tonumber(ARGV[2 * i])
  local stored = redis.call('GET', key)
  local tat = now
  if stored then tat = math.max(tonumber(stored), now) end
  local new_tat = tat + emission * delta
  if new_tat <= now then
    redis.call('DEL', key)
  else
    redis.call('SET', key, string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
  end
end
return #KEYS
`;

export interface RedisRateLimiterOptions {
  /** Prepended to every key, e.g. `switchyard:rl:`. */
  keyPrefix?: string;
  /** Extra ioredis options per node. Not `commandTimeout`: the fail-safe decorator times calls out (see why there). */
  redisOptions?: RedisOptions;
}

/** `url`: REDIS_URL, one node or a cluster. */
export function createRedisRateLimiter(url: string, options: RedisRateLimiterOptions = {}): RateLimiter {
  const prefix = options.keyPrefix ?? '';
  // Auto-pipelining (openRedis): the scripts of requests decided in the same event-loop turn leave
  // in one socket write per node instead of one each; each script still runs atomically on its own.
  // Outages surface as rejected commands (the fail-safe decorator logs them once).
  const redis = openRedis(url, options.redisOptions ? { nodeOptions: options.redisOptions } : {});
  // defineCommand sends EVALSHA and falls back to EVAL once when the script cache is cold.
  redis.defineCommand('switchyardGcraAll', { lua: GCRA_ALL_SCRIPT });
  redis.defineCommand('switchyardGcraSettle', { lua: SETTLE_SCRIPT });
  const scripts = redis as unknown as {
    switchyardGcraAll(numberOfKeys: number, ...args: string[]): Promise<number[]>;
    switchyardGcraSettle(numberOfKeys: number, ...args: string[]): Promise<number>;
  };
  const run = scripts.switchyardGcraAll.bind(redis);
  const runSettle = scripts.switchyardGcraSettle.bind(redis);

  async function decide(checks: readonly RateLimitCheck[]): Promise<RateLimitDecision[]> {
    if (checks.length === 0) return [];
    const keys: string[] = [];
    const args: string[] = [];
    for (const { key, limit, cost } of checks) {
      validateRateLimit(limit, cost);
      const emissionUs = (limit.periodMs * 1000) / limit.limit;
      keys.push(prefix + key);
      args.push(String(emissionUs), String(emissionUs * (limit.burst ?? limit.limit)), String(cost));
    }
    const reply = await run(keys.length, ...keys, ...args);
    return checks.map((_, i) => ({ allowed: reply[3 * i] === 1, remaining: reply[3 * i + 1] as number, retryAfterMs: reply[3 * i + 2] as number }));
  }

  return {
    async consume(key, limit, cost = 1) {
      return (await decide([{ key, limit, cost }]))[0] as RateLimitDecision;
    },
    consumeAll: decide,
    async settle(settlements) {
      const keys: string[] = [];
      const args: string[] = [];
      for (const { key, limit, reserved, used } of settlements) {
        validateSettlement(limit, reserved, used);
        if (used === reserved) continue;
        keys.push(prefix + key);
        args.push(String((limit.periodMs * 1000) / limit.limit), String(used - reserved));
      }
      if (keys.length > 0) await runSettle(keys.length, ...keys, ...args);
    },
    async close() {
      await redis.quit();
    },
  };
}
