import { openRedis, type RedisConnection } from '@switchyard/redis-connection';
import type { Lease, LeasePort } from './lease';

/**
 * KEYS[1] the lease, KEYS[2] its fencing counter; ARGV[1] holder, ARGV[2] TTL (ms). SET NX PX
 * takes a free lease; the token comes from INCR in the same script, so two replicas racing for a
 * free lease cannot both get it, and no token is spent on a lease that was held.
 */
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token .. ':' .. ARGV[1], 'NX', 'PX', ARGV[2])
return token`;

/** KEYS[1] the lease; ARGV[1] `<token>:<holder>`, ARGV[2] TTL (ms): extends only the same lease. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** KEYS[1] the lease; ARGV[1] `<token>:<holder>`: deletes only the same lease. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RedisLeaseOptions {
  /** REDIS_KEY_PREFIX (tests isolate runs with it). */
  keyPrefix?: string;
}

/**
 * Leases in Redis, shared by every replica on it: `<prefix>switchyard:lease:{<name>}` holds
 * `<token>:<holder>` with the lease's TTL; `<prefix>switchyard:lease:{<name>}:fence` counts
 * acquisitions (never expires: tokens only grow). The name is the hash tag, so both keys of the
 * acquire script sit in one slot on a Redis Cluster.
 */
export function createRedisLease(connection: string | RedisConnection, options: RedisLeaseOptions = {}): LeasePort {
  const owned = typeof connection === 'string';
  // openRedis: one node or a cluster (REDIS_URL), its error listener included.
  const redis = owned ? openRedis(connection) : connection;
  const key = (name: string) => `${options.keyPrefix ?? ''}switchyard:lease:{${name}}`;
  const value = (lease: Lease) => `${lease.token}:${lease.holder}`;
  return {
    async acquire(name, holder, ttlMs) {
      const token = await redis.eval(ACQUIRE, 2, key(name), `${key(name)}:fence`, holder, Math.max(1, Math.round(ttlMs)));
      return typeof token === 'number' ? { name, holder, token } : null;
    },
    async renew(lease, ttlMs) {
      return (await redis.eval(RENEW, 1, key(lease.name), value(lease), Math.max(1, Math.round(ttlMs)))) === 1;
    },
    async release(lease) {
      return (await redis.eval(RELEASE, 1, key(lease.name), value(lease))) === 1;
    },
    async close() {
      if (owned) await redis.quit().catch(() => undefined);
    },
  };
}
