import { openRedis, type RedisConnection } from '@switchyard/redis-connection';
import type { RedisOptions } from 'ioredis';
import { validateRateLimit, validateSettlement } from './gcra';
import { PendingSettlements, slotOf, type SettlementBatch } from './pending-settlements';
import type { RateLimitCheck, RateLimitDecision, RateLimiter } from './rate-limiter';

/**
 * Every limit of a request in one Lua script, all or nothing: read each key's TAT, decide each
 * check in order, and write the new TATs only when every check is admitted. No partial charge when
 * a later limit refuses. The same script first applies the settlements waiting for this slot
 * (pending-settlements.ts): earlier requests' reservations moved to what they used, so a
 * settlement costs no round trip of its own; with no requests it only settles (a batch whose
 * linger ended). One script call carries the reservations of the requests decided in the same
 * event-loop turn after its first (`queued` below), decided one after the other exactly as separate
 * calls in that order would be: each request all or nothing on its own, a later one seeing what
 * an earlier one charged.
 *
 * Why GCRA rather than a token bucket: both admit the same traffic (GCRA is a token bucket with
 * continuous refill, seen from the other side), but GCRA stores one number per key (the
 * theoretical arrival time) where a bucket stores two (tokens and last refill), so the script
 * does one GET and one SET PX per limit, keys expire by themselves once idle, and there is no
 * window boundary to stampede at. The clock is the Redis server's TIME, so replicas of the data
 * plane with skewed clocks still agree. Times inside the script are microseconds (integers fit a
 * double exactly up to 2^53). On a Redis Cluster every key of one script must hash to one slot:
 * the callers' keys carry their tenant as a hash tag (`limitKeys` in enforce-limits.ts), so all
 * of a request's limits, and the settlements of its tenant, meet on the master of that slot (and
 * a batch there only joins requests of one slot).
 *
 * ARGV[1]: S, the number of settlements. KEYS[1..S]: settled keys; ARGV[2i..2i+1]: emission
 * interval (µs) and delta (units, signed) of settlement i: the key's TAT moves by delta units,
 * never below now, and a key left at or below now is deleted (as good as fresh); `gcraSettle` in
 * gcra.ts is the same rule. ARGV[2S+2]: R, the number of requests; ARGV[2S+2+r]: C_r, the number
 * of checks of request r. Then the checks of every request in order: KEYS[S+j], and three ARGV
 * after those counts: emission interval (µs), tolerance (µs), cost of check j.
 * Reply: {allowed, remaining, retry_after_ms} per check of every request, flattened.
 */
const GCRA_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local settlements = tonumber(ARGV[1])
for i = 1, settlements do
  local key = KEYS[i]
  local emission = tonumber(ARGV[2 * i])
  local delta = tonumber(ARGV[2 * i + 1])
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
local counts_at = 2 * settlements + 2
local requests = tonumber(ARGV[counts_at])
local arg = counts_at + requests
local key_at = settlements
-- TATs charged by the admitted requests of this call, written once at the end.
local committed = {}
local out = {}
local o = 0
for r = 1, requests do
  local checks = tonumber(ARGV[counts_at + r])
  local tats = {}
  local refused = false
  for i = 1, checks do
    local key = KEYS[key_at + i]
    local emission = tonumber(ARGV[arg + 3 * i - 2])
    local tolerance = tonumber(ARGV[arg + 3 * i - 1])
    local cost = tonumber(ARGV[arg + 3 * i])
    local tat = tats[key]
    if tat == nil then tat = committed[key] end
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
      out[o + 3 * i - 2] = 0
      out[o + 3 * i - 1] = remaining
      out[o + 3 * i] = math.ceil((allow_at - now) / 1000)
      tats[key] = tat
    else
      local remaining = math.floor((tolerance - (new_tat - now)) / emission)
      if remaining < 0 then remaining = 0 end
      out[o + 3 * i - 2] = 1
      out[o + 3 * i - 1] = remaining
      out[o + 3 * i] = 0
      tats[key] = new_tat
    end
  end
  if refused then
    -- Nothing is charged: an admitted check reports what it has left without this request.
    for i = 1, checks do
      if out[o + 3 * i - 2] == 1 then out[o + 3 * i - 1] = out[o + 3 * i - 1] + tonumber(ARGV[arg + 3 * i]) end
    end
  else
    for key, tat in pairs(tats) do committed[key] = tat end
  end
  o = o + 3 * checks
  key_at = key_at + checks
  arg = arg + 3 * checks
end
for key, tat in pairs(committed) do
  local ttl_ms = math.ceil((tat - now) / 1000)
  if ttl_ms > 0 then redis.call('SET', key, string.format('%.0f', tat), 'PX', ttl_ms) end
end
return out
`;

/** One request's checks waiting for the turn's script call (keys prefixed, three args per check). */
interface QueuedReservation {
  keys: string[];
  args: string[];
  /** The slot of its keys when they all share one, else undefined (nothing rides along then). */
  slot: string | undefined;
  resolve(reply: number[]): void;
  reject(error: unknown): void;
}

export interface RedisRateLimiterOptions {
  /** Prepended to every key, e.g. `switchyard:rl:`. */
  keyPrefix?: string;
  /** Extra ioredis options per node when the limiter opens its own connection. Not `commandTimeout`: the fail-safe decorator times calls out (see why there). */
  redisOptions?: RedisOptions;
  /**
   * How long a settlement waits for a reservation of its tenant to carry it (pending-settlements.ts)
   * before it leaves in a batch of its own. 0: each settlement is its own script call at once.
   */
  settleLingerMs?: number;
}

/** Bounds one script's run on Redis (other clients wait while it runs) and its argument count. */
const MAX_REQUESTS_PER_CALL = 64;

/** Long enough for a client's next request to carry the previous one's settlement; short enough that quotas barely notice. */
export const DEFAULT_SETTLE_LINGER_MS = 2;

/**
 * `redisOrUrl`: REDIS_URL, one node or a cluster, or a connection its owner shares (the data plane's
 * request-path state, composition/shared-state.ts: its usage appends and this limiter's scripts of
 * one turn then leave in one socket write); a shared connection is left open by `close`.
 */
export function createRedisRateLimiter(redisOrUrl: string | RedisConnection, options: RedisRateLimiterOptions = {}): RateLimiter {
  const prefix = options.keyPrefix ?? '';
  // Auto-pipelining (openRedis): this limiter's script call of a turn leaves in the same socket write
  // as the other commands of that turn on the connection. Outages surface as rejected commands (the
  // fail-safe decorator logs them once).
  const ownsRedis = typeof redisOrUrl === 'string';
  const redis = typeof redisOrUrl === 'string' ? openRedis(redisOrUrl, options.redisOptions ? { nodeOptions: options.redisOptions } : {}) : redisOrUrl;
  // defineCommand sends EVALSHA and falls back to EVAL once when the script cache is cold.
  redis.defineCommand('switchyardGcra', { lua: GCRA_SCRIPT });
  const run = (redis as unknown as { switchyardGcra(numberOfKeys: number, ...args: string[]): Promise<number[]> }).switchyardGcra.bind(redis);
  const onCluster = redis.isCluster;
  const lingerMs = options.settleLingerMs ?? DEFAULT_SETTLE_LINGER_MS;
  const sendAlone = (batch: SettlementBatch): Promise<void> =>
    run(batch.keys.length, ...batch.keys, String(batch.keys.length), ...batch.args, '0').then(
      () => batch.done(),
      (error: unknown) => batch.done(error),
    );
  const pending = new PendingSettlements(sendAlone, lingerMs);

  /**
   * The reservations of this turn after its first, by script call: one per slot on a cluster (a
   * script touches one slot), one for all on a node. Why batch: each script call costs the client an ioredis command,
   * its promises and its reply handling, and Redis a script invocation; under load several requests
   * reach their limits in one turn and now share one.
   */
  const queued = new Map<string, QueuedReservation[]>();
  let flushScheduled = false;

  function flushReservations(): void {
    flushScheduled = false;
    for (const batch of queued.values()) {
      for (let from = 0; from < batch.length; from += MAX_REQUESTS_PER_CALL) sendReservations(batch.slice(from, from + MAX_REQUESTS_PER_CALL));
    }
    queued.clear();
  }

  function sendReservations(batch: readonly QueuedReservation[]): void {
    // The settlements waiting for the batch's slots ride along (a batch on a cluster is one slot).
    const carried: SettlementBatch[] = [];
    for (const { slot } of batch) {
      const taken = slot === undefined ? undefined : pending.take(slot);
      if (taken) carried.push(taken);
    }
    const keys: string[] = [];
    const settlementArgs: string[] = [];
    for (const settlement of carried) {
      keys.push(...settlement.keys);
      settlementArgs.push(...settlement.args);
    }
    const args: string[] = [String(keys.length), ...settlementArgs, String(batch.length)];
    for (const reservation of batch) args.push(String(reservation.keys.length));
    for (const reservation of batch) {
      keys.push(...reservation.keys);
      args.push(...reservation.args);
    }
    run(keys.length, ...keys, ...args).then(
      (reply) => {
        for (const settlement of carried) settlement.done();
        let at = 0;
        for (const reservation of batch) {
          reservation.resolve(reply.slice(at, at + 3 * reservation.keys.length));
          at += 3 * reservation.keys.length;
        }
      },
      (error: unknown) => {
        for (const settlement of carried) settlement.done(error);
        for (const reservation of batch) reservation.reject(error);
      },
    );
  }

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
    const first = slotOf(keys[0] as string);
    const slot = keys.every((key) => slotOf(key) === first) ? first : undefined;
    const batchKey = onCluster ? first : '';
    const reply = await new Promise<number[]>((resolve, reject) => {
      const reservation: QueuedReservation = { keys, args, slot, resolve, reject };
      // Keys of several slots on a cluster (none today: limit keys carry the tenant's hash tag)
      // leave alone, so their CROSSSLOT refusal fails only this request, not a batch.
      if (onCluster && slot === undefined) {
        sendReservations([reservation]);
        return;
      }
      if (!flushScheduled) {
        // The first of a turn leaves at once (a lone request waits for no one: no extra turn at
        // concurrency 1); those after it in the same turn's I/O callbacks share one call at its end.
        flushScheduled = true;
        setImmediate(flushReservations);
        sendReservations([reservation]);
        return;
      }
      let batch = queued.get(batchKey);
      if (!batch) queued.set(batchKey, (batch = []));
      batch.push(reservation);
    });
    const decisions: RateLimitDecision[] = new Array<RateLimitDecision>(checks.length);
    for (let i = 0; i < checks.length; i += 1) decisions[i] = { allowed: reply[3 * i] === 1, remaining: reply[3 * i + 1] as number, retryAfterMs: reply[3 * i + 2] as number };
    return decisions;
  }

  return {
    async consume(key, limit, cost = 1) {
      return (await decide([{ key, limit, cost }]))[0] as RateLimitDecision;
    },
    consumeAll: decide,
    async settle(settlements) {
      // Every settlement is checked before any is queued: a nonsensical one refuses the call, none applied.
      for (const { limit, reserved, used } of settlements) validateSettlement(limit, reserved, used);
      const bySlot = new Map<string, { keys: string[]; args: string[] }>();
      for (const { key, limit, reserved, used } of settlements) {
        if (used === reserved) continue;
        const full = prefix + key;
        const slot = slotOf(full);
        let group = bySlot.get(slot);
        if (!group) bySlot.set(slot, (group = { keys: [], args: [] }));
        group.keys.push(full);
        group.args.push(String((limit.periodMs * 1000) / limit.limit), String(used - reserved));
      }
      if (lingerMs <= 0) {
        await Promise.all([...bySlot.values()].map(({ keys, args }) => run(keys.length, ...keys, String(keys.length), ...args, '0')));
        return;
      }
      await Promise.all([...bySlot.values()].map(({ keys, args }) => pending.add(keys, args)));
    },
    async close() {
      // What still waits is sent before the connection goes (reservations of this turn leave with it).
      if (flushScheduled) flushReservations();
      await pending.flushAll();
      if (ownsRedis) await redis.quit();
    },
  };
}
