import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { parseRedisTarget } from './redis-target';

/** A connection to the platform's Redis: one node or a cluster. Both speak the same commands. */
export type RedisConnection = Redis | Cluster;

export interface OpenRedisOptions {
  /** ioredis options for each node connection (merged over the defaults below). */
  nodeOptions?: RedisOptions;
}

/**
 * Every Redis connection the platform opens goes through here, so a `redis+cluster://` REDIS_URL
 * reaches every use (bus, limits, feedback log, SLI counters) without any of them knowing.
 *
 * Defaults, for both kinds: auto-pipelining (commands of one event-loop turn leave in one write per
 * node), three retries per command across reconnects, and a silent `error` listener (ioredis emits
 * one per reconnect attempt; failures reach callers through their commands, which log them once).
 *
 * Cluster: reads and writes go to masters (a replica's copy may lag: limits and streams need the
 * latest value). While a master fails over, its slots answer connection errors or CLUSTERDOWN;
 * ioredis refreshes the slot map and retries such commands after `retryDelayOnFailover` /
 * `retryDelayOnClusterDown`, so a failover costs a few hundred milliseconds of latency on those
 * slots and errors only for commands that outlast the retries. A command in flight when its
 * master dies may have run there and be sent again to the promoted replica (an append can land
 * twice: stream consumers are idempotent by event id).
 */
export function openRedis(url: string, options: OpenRedisOptions = {}): RedisConnection {
  const target = parseRedisTarget(url);
  const node: RedisOptions = {
    maxRetriesPerRequest: 3,
    // A command that reached a master as it was being demoted (a failover paused it, then it ran on
    // what is now a replica) fails READONLY without writing anything: reconnect and send it again,
    // which redirects it to the new master. Safe for scripts too: a write refused aborts them unwritten.
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
    ...options.nodeOptions,
  };
  let connection: RedisConnection;
  if (target.kind === 'node') {
    connection = new Redis(url, { enableAutoPipelining: true, ...node });
  } else {
    const clusterOptions: ClusterOptions = {
      enableAutoPipelining: true,
      scaleReads: 'master',
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 100,
      // Ask for the slot map again soon after a topology change, not every 5 s by default.
      slotsRefreshInterval: 2_000,
      redisOptions: {
        ...node,
        ...(target.username === undefined ? {} : { username: target.username }),
        ...(target.password === undefined ? {} : { password: target.password }),
        ...(target.tls ? { tls: {} } : {}),
      },
      // With TLS the certificate names the host: keep the seeds' names instead of resolved addresses.
      ...(target.tls ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
    };
    connection = new Cluster(target.nodes, clusterOptions);
  }
  connection.on('error', () => undefined);
  return connection;
}

/**
 * Another connection to the same Redis (for a subscriber or a blocking read, which must not share a
 * socket with pipelined commands), quiet like the original.
 */
export function duplicateRedis(connection: RedisConnection): RedisConnection {
  const copy = connection.duplicate();
  copy.on('error', () => undefined);
  return copy;
}
