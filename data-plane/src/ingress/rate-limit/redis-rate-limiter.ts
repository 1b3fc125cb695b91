import { Redis, type RedisOptions } from 'ioredis';
import { validateRateLimit } from './gcra';
import type { RateLimiter } from './rate-limiter';

/**
 * GCRA in one Lua script: read TAT, decide, write TAT, all atomic on the server. The clock is
 * the Redis server's TIME, so replicas of the data plane with skewed clocks still agree.
 * Times inside the script are microseconds (integers fit a double exactly up to 2^53).
 */
const GCRA_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local key = KEYS[1]
local emission_us = tonumber(ARGV[1])
local tolerance_us = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local stored = redis.call('GET', key)
local tat = now
if stored then tat = math.max(tonumber(stored), now) end
local new_tat = tat + emission_us * cost
local allow_at = new_tat - tolerance_us
if now < allow_at then
  local remaining = math.floor((tolerance_us - (tat - now)) / emission_us)
  if remaining < 0 then remaining = 0 end
  return {0, remaining, math.ceil((allow_at - now) / 1000)}
end
local remaining = math.floor((tolerance_us - (new_tat - now)) / emission_us)
if remaining < 0 then remaining = 0 end
local ttl_ms = math.ceil((new_tat - now) / 1000)
if ttl_ms > 0 then
  redis.call('SET', key, string.format('%.0f', new_tat), 'PX', ttl_ms)
end
return {1, remaining, 0}
`;

export interface RedisRateLimiterOptions {
  /** Prepended to every key, e.g. `switchyard:rl:`. */
  keyPrefix?: string;
  /** Extra ioredis options, e.g. `commandTimeout` so a black-holed Redis fails fast instead of hanging requests. */
  redisOptions?: RedisOptions;
}

type GcraReply = [allowed: number, remaining: number, retryAfterMs: number];

export function createRedisRateLimiter(connection: string | RedisOptions, options: RedisRateLimiterOptions = {}): RateLimiter {
  const prefix = options.keyPrefix ?? '';
  const redis =
    typeof connection === 'string'
      ? new Redis(connection, { maxRetriesPerRequest: 3, ...options.redisOptions })
      : new Redis({ maxRetriesPerRequest: 3, ...options.redisOptions, ...connection });
  // defineCommand sends EVALSHA and falls back to EVAL once when the script cache is cold.
  redis.defineCommand('switchyardGcra', { numberOfKeys: 1, lua: GCRA_SCRIPT });
  const run = (redis as unknown as { switchyardGcra(key: string, ...args: string[]): Promise<GcraReply> }).switchyardGcra.bind(redis);

  return {
    async consume(key, limit, cost = 1) {
      validateRateLimit(limit, cost);
      const emissionUs = (limit.periodMs * 1000) / limit.limit;
      const toleranceUs = emissionUs * (limit.burst ?? limit.limit);
      const [allowed, remaining, retryAfterMs] = await run(prefix + key, String(emissionUs), String(toleranceUs), String(cost));
      return { allowed: allowed === 1, remaining, retryAfterMs };
    },
    async close() {
      await redis.quit();
    },
  };
}
