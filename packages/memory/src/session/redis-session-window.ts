import { openRedis, type RedisConnection } from '@switchyard/redis-connection';
import { parseStoredResponse, parseTurn, responseBytes } from './session-records';
import {
  DEFAULT_SESSION_WINDOW_LIMITS,
  SessionQuotaExceededError,
  type SessionTurn,
  type SessionWindow,
  type SessionWindowLimits,
} from './session-window';

export interface RedisSessionWindowOptions {
  /** Prepended to every key (`<prefix>switchyard:mem:{<tenant>}:…`); default empty. */
  keyPrefix?: string;
  limits?: Partial<SessionWindowLimits>;
}

/**
 * Stores a response within the tenant's quota, atomically: expired responses leave the tally
 * first (their keys expired on their own; the index remembers when), a replaced id counts once.
 * KEYS: record, index (zset id → expiry ms), sizes (hash id → bytes), totals (hash), the session's response ids (set).
 * ARGV: now ms, ttl ms, id, body, bytes, max responses, max bytes.
 */
const PUT_RESPONSE = `
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, id in ipairs(dead) do
  local size = redis.call('HGET', KEYS[3], id)
  if size then
    redis.call('HINCRBY', KEYS[4], 'bytes', -tonumber(size))
    redis.call('HINCRBY', KEYS[4], 'responses', -1)
    redis.call('HDEL', KEYS[3], id)
  end
end
if #dead > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now) end
local responses = tonumber(redis.call('HGET', KEYS[4], 'responses') or '0')
local bytes = tonumber(redis.call('HGET', KEYS[4], 'bytes') or '0')
local old = redis.call('HGET', KEYS[3], ARGV[3])
local newBytes = tonumber(ARGV[5])
local responsesAfter = responses + 1
local bytesAfter = bytes + newBytes
if old then
  responsesAfter = responses
  bytesAfter = bytes - tonumber(old) + newBytes
end
if responsesAfter > tonumber(ARGV[6]) then return {0, 'responses', responses, bytes} end
if bytesAfter > tonumber(ARGV[7]) then return {0, 'bytes', responses, bytes} end
redis.call('SET', KEYS[1], ARGV[4], 'PX', ttl)
redis.call('ZADD', KEYS[2], now + ttl, ARGV[3])
redis.call('HSET', KEYS[3], ARGV[3], newBytes)
redis.call('HSET', KEYS[4], 'responses', responsesAfter, 'bytes', bytesAfter)
redis.call('SADD', KEYS[5], ARGV[3])
for i = 2, 5 do redis.call('PEXPIRE', KEYS[i], ttl) end
return {1}
`;

/** KEYS: record, index, sizes, totals. ARGV: id. Returns 1 when the response existed. */
const DELETE_RESPONSE = `
local existed = redis.call('DEL', KEYS[1])
local size = redis.call('HGET', KEYS[3], ARGV[1])
if size then
  redis.call('HINCRBY', KEYS[4], 'bytes', -tonumber(size))
  redis.call('HINCRBY', KEYS[4], 'responses', -1)
  redis.call('HDEL', KEYS[3], ARGV[1])
end
redis.call('ZREM', KEYS[2], ARGV[1])
return existed
`;

/**
 * Deletes a session: its window and the responses named in ARGV (the session's set, read just
 * before). KEYS: index, sizes, totals, window, window bytes, session set, then one record key per
 * ARGV id. Returns how many keys existed (window and records).
 */
const DELETE_SESSION = `
local existed = redis.call('DEL', KEYS[4])
redis.call('DEL', KEYS[5], KEYS[6])
for i = 1, #ARGV do
  existed = existed + redis.call('DEL', KEYS[6 + i])
  local size = redis.call('HGET', KEYS[2], ARGV[i])
  if size then
    redis.call('HINCRBY', KEYS[3], 'bytes', -tonumber(size))
    redis.call('HINCRBY', KEYS[3], 'responses', -1)
    redis.call('HDEL', KEYS[2], ARGV[i])
  end
  redis.call('ZREM', KEYS[1], ARGV[i])
end
return existed
`;

/** KEYS: index, sizes, totals. ARGV: now ms. Drops expired responses from the tally, returns {responses, bytes}. */
const USAGE = `
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, id in ipairs(dead) do
  local size = redis.call('HGET', KEYS[2], id)
  if size then
    redis.call('HINCRBY', KEYS[3], 'bytes', -tonumber(size))
    redis.call('HINCRBY', KEYS[3], 'responses', -1)
    redis.call('HDEL', KEYS[2], id)
  end
end
if #dead > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1]) end
return {tonumber(redis.call('HGET', KEYS[3], 'responses') or '0'), tonumber(redis.call('HGET', KEYS[3], 'bytes') or '0')}
`;

/**
 * Appends turns and trims the window to its limits in one step, so concurrent appends to one
 * session never lose a turn. KEYS: list, byte counter. ARGV: ttl ms, max turns, max bytes, turns….
 */
const APPEND_TURNS = `
for i = 4, #ARGV do
  redis.call('RPUSH', KEYS[1], ARGV[i])
  redis.call('INCRBY', KEYS[2], #ARGV[i])
end
local maxTurns = tonumber(ARGV[2])
local maxBytes = tonumber(ARGV[3])
while redis.call('LLEN', KEYS[1]) > 1 and (redis.call('LLEN', KEYS[1]) > maxTurns or tonumber(redis.call('GET', KEYS[2]) or '0') > maxBytes) do
  local gone = redis.call('LPOP', KEYS[1])
  redis.call('DECRBY', KEYS[2], #gone)
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return redis.call('LRANGE', KEYS[1], 0, -1)
`;

/**
 * The production session window: Redis, every key with the TTL, all of a tenant's keys in one
 * hash slot (`{<tenant>}`), so the scripts also run on Redis Cluster. Every replica on one Redis
 * (and prefix) sees the same sessions, so a conversation continues through any replica.
 */
export function createRedisSessionWindow(redisOrUrl: RedisConnection | string, options: RedisSessionWindowOptions = {}): SessionWindow {
  const ownsClient = typeof redisOrUrl === 'string';
  const redis = typeof redisOrUrl === 'string' ? openRedis(redisOrUrl, { nodeOptions: { maxRetriesPerRequest: 1, enableOfflineQueue: true } }) : redisOrUrl;
  if (ownsClient) redis.on('error', () => undefined); // surfaced by each command's rejection
  const limits = { ...DEFAULT_SESSION_WINDOW_LIMITS, ...options.limits };
  const ttlMs = limits.ttlSeconds * 1000;
  const prefix = `${options.keyPrefix ?? ''}switchyard:mem:`;
  // Tenant ids come from the authenticated key (UUIDs); session and response ids are hashed into
  // the key only after the tenant tag, so no client text can move a key into another tenant's slot.
  const tenantKeys = (tenantId: string) => {
    const base = `${prefix}{${tenantId}}:`;
    return { index: `${base}idx`, sizes: `${base}sz`, totals: `${base}tot`, response: (id: string) => `${base}r:${id}`, window: (s: string) => `${base}w:${s}`, sessionResponses: (s: string) => `${base}s:${s}`, windowBytes: (s: string) => `${base}wb:${s}` };
  };

  return {
    kind: 'redis',
    async putResponse(tenantId, response) {
      const keys = tenantKeys(tenantId);
      const body = JSON.stringify(response);
      const result = (await redis.eval(PUT_RESPONSE, 5, keys.response(response.id), keys.index, keys.sizes, keys.totals, keys.sessionResponses(response.sessionId), Date.now(), ttlMs, response.id, body, responseBytes(response), limits.maxResponsesPerTenant, limits.maxBytesPerTenant)) as [number, string?, number?, number?];
      if (result[0] !== 1) throw new SessionQuotaExceededError(result[1] === 'bytes' ? 'bytes' : 'responses', { responses: Number(result[2] ?? 0), bytes: Number(result[3] ?? 0) }, limits);
    },
    async getResponse(tenantId, id) {
      return parseStoredResponse(await redis.get(tenantKeys(tenantId).response(id)));
    },
    async deleteResponse(tenantId, id) {
      const keys = tenantKeys(tenantId);
      return (await redis.eval(DELETE_RESPONSE, 4, keys.response(id), keys.index, keys.sizes, keys.totals, id)) === 1;
    },
    async appendTurns(tenantId, sessionId, turns) {
      const keys = tenantKeys(tenantId);
      // A turn's size is its JSON's UTF-8 bytes (`#` in Lua), as in trimWindow; the newest turn always stays.
      const encoded = turns.map((turn) => JSON.stringify(turn));
      const window = (await redis.eval(APPEND_TURNS, 2, keys.window(sessionId), keys.windowBytes(sessionId), ttlMs, limits.maxTurns, limits.maxWindowBytes, ...encoded)) as string[];
      return window.map(parseTurn).filter((turn): turn is SessionTurn => turn !== null);
    },
    async recentTurns(tenantId, sessionId, count) {
      if (count <= 0) return [];
      const window = await redis.lrange(tenantKeys(tenantId).window(sessionId), -count, -1);
      return window.map(parseTurn).filter((turn): turn is SessionTurn => turn !== null);
    },
    async deleteSession(tenantId, sessionId) {
      const keys = tenantKeys(tenantId);
      const ids = await redis.smembers(keys.sessionResponses(sessionId));
      const existed = (await redis.eval(DELETE_SESSION, 6 + ids.length, keys.index, keys.sizes, keys.totals, keys.window(sessionId), keys.windowBytes(sessionId), keys.sessionResponses(sessionId), ...ids.map(keys.response), ...ids)) as number;
      return existed > 0;
    },
    async usage(tenantId) {
      const keys = tenantKeys(tenantId);
      const [responses, bytes] = (await redis.eval(USAGE, 3, keys.index, keys.sizes, keys.totals, Date.now())) as [number, number];
      return { responses: Number(responses), bytes: Number(bytes) };
    },
    async close() {
      if (ownsClient) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
