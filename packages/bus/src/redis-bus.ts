import { duplicateRedis, openRedis, type RedisConnection } from '@switchyard/redis-connection';
import type { Bus, StreamEntry, Unsubscribe } from './bus';

/**
 * The Redis bus. Pub/sub runs on one dedicated subscriber connection (a subscribed connection
 * can issue no other commands); durable streams are Redis Streams with consumer groups
 * (XADD / XREADGROUP / XACK / XAUTOCLAIM). Blocking reads borrow their own connection, because
 * a blocked connection would stall every command pipelined behind it.
 *
 * On a Redis Cluster (a `redis+cluster://` URL) every command names one stream, so it needs no hash
 * tag: each stream lives on the master of its slot. Pub/sub messages reach every node of the
 * cluster, so a subscriber on any node hears every publisher; a channel's messages are published
 * through its slot's master, so they keep their order.
 */
export interface RedisBusOptions {
  /** Prepended to every stream and channel name, e.g. `test-1234:` to isolate a test run. */
  keyPrefix?: string;
}

/**
 * On a cluster PUBLISH names no key, so ioredis sends each one to any node, and two messages of one
 * channel published through two nodes can reach a subscriber out of order (each node forwards over
 * its own cluster-bus link). This script, keyed by the channel, publishes every message of a channel
 * through the master of the channel's slot: one node, so one order.
 */
const PUBLISH_THROUGH_CHANNEL_SLOT = "return redis.call('PUBLISH', ARGV[1], ARGV[2])";

/** The single field each stream entry carries. */
const PAYLOAD_FIELD = 'payload';

type RawEntry = [id: string, fields: string[] | null];

function toEntries(raw: readonly RawEntry[]): StreamEntry[] {
  const entries: StreamEntry[] = [];
  for (const [id, fields] of raw) {
    // A pending entry whose message was deleted (XDEL/XTRIM) comes back with no fields.
    if (!fields) continue;
    const at = fields.indexOf(PAYLOAD_FIELD);
    entries.push({ id, payload: at >= 0 ? (fields[at + 1] ?? '') : '' });
  }
  return entries;
}

function isBusyGroupError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('BUSYGROUP');
}

/**
 * `redisOrUrl`: REDIS_URL, one node or a cluster (opened by `openRedis`, auto-pipelined and quiet),
 * or a connection its owner shares with other users (the data plane's request-path state: one socket,
 * so a turn's appends, limit scripts and feedback writes leave in one write). A shared connection is
 * left open by `close`; its subscriber and blocking-read duplicates are the bus's own.
 */
export function createRedisBus(redisOrUrl: string | RedisConnection, options: RedisBusOptions = {}): Bus {
  const prefix = options.keyPrefix ?? '';
  const ownsCommands = typeof redisOrUrl === 'string';
  const commands = typeof redisOrUrl === 'string' ? openRedis(redisOrUrl) : redisOrUrl;
  let subscriber: RedisConnection | undefined;
  const handlersByChannel = new Map<string, Set<(message: string) => void>>();
  // One SUBSCRIBE per channel; concurrent subscribers of a new channel all wait for it.
  const activeSubscriptions = new Map<string, Promise<unknown>>();
  const idleBlockingConnections: RedisConnection[] = [];
  const allBlockingConnections = new Set<RedisConnection>();
  let closed = false;

  const key = (name: string): string => prefix + name;

  function subscriberConnection(): RedisConnection {
    if (subscriber) return subscriber;
    const created = duplicateRedis(commands);
    created.on('message', (prefixedChannel: string, message: string) => {
      const handlers = handlersByChannel.get(prefixedChannel);
      if (!handlers) return;
      for (const handler of [...handlers]) {
        try {
          handler(message);
        } catch {
          // A failing subscriber must not affect the others.
        }
      }
    });
    subscriber = created;
    return created;
  }

  async function withBlockingConnection<T>(run: (redis: RedisConnection) => Promise<T>): Promise<T> {
    let redis = idleBlockingConnections.pop();
    if (!redis) {
      redis = duplicateRedis(commands);
      allBlockingConnections.add(redis);
    }
    try {
      return await run(redis);
    } finally {
      if (closed) redis.disconnect();
      else idleBlockingConnections.push(redis);
    }
  }

  function assertOpen(): void {
    if (closed) throw new Error('The bus is closed');
  }

  return {
    async publish(channel, message) {
      assertOpen();
      const prefixed = key(channel);
      if (commands.isCluster) await commands.eval(PUBLISH_THROUGH_CHANNEL_SLOT, 1, prefixed, prefixed, message);
      else await commands.publish(prefixed, message);
    },

    async subscribe(channel, onMessage): Promise<Unsubscribe> {
      assertOpen();
      const prefixed = key(channel);
      const handler = (message: string): void => onMessage(message);
      let handlers = handlersByChannel.get(prefixed);
      if (!handlers) {
        handlers = new Set();
        handlersByChannel.set(prefixed, handlers);
      }
      handlers.add(handler);
      let active = activeSubscriptions.get(prefixed);
      if (!active) {
        active = subscriberConnection().subscribe(prefixed);
        activeSubscriptions.set(prefixed, active);
      }
      try {
        await active;
      } catch (error) {
        handlers.delete(handler);
        activeSubscriptions.delete(prefixed);
        throw error;
      }
      return async () => {
        const current = handlersByChannel.get(prefixed);
        if (!current?.delete(handler) || current.size > 0) return;
        handlersByChannel.delete(prefixed);
        activeSubscriptions.delete(prefixed);
        if (!closed) await subscriber?.unsubscribe(prefixed);
      };
    },

    async append(stream, payload) {
      assertOpen();
      const id = await commands.xadd(key(stream), '*', PAYLOAD_FIELD, payload);
      if (id === null) throw new Error(`XADD to ${stream} returned no id`);
      return id;
    },

    async ensureGroup(stream, group) {
      assertOpen();
      try {
        // `0`: a new group starts at the beginning of the stream; MKSTREAM creates an empty stream.
        await commands.xgroup('CREATE', key(stream), group, '0', 'MKSTREAM');
      } catch (error) {
        if (!isBusyGroupError(error)) throw error;
      }
    },

    async readGroup(stream, group, consumer, readOptions) {
      assertOpen();
      const count = Math.max(1, Math.floor(readOptions.count));
      // BLOCK 0 means "forever" to Redis, but "do not block" in our port: omit BLOCK then.
      let reply: unknown;
      try {
        reply =
          readOptions.blockMs > 0
            ? await withBlockingConnection((redis) =>
                redis.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'BLOCK', Math.ceil(readOptions.blockMs), 'STREAMS', key(stream), '>'),
              )
            : await commands.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'STREAMS', key(stream), '>');
      } catch (error) {
        // close() cuts blocked reads short: a consumer loop then sees "nothing new" and stops.
        if (closed) return [];
        throw error;
      }
      const streams = reply as [string, RawEntry[]][] | null;
      return streams?.[0] ? toEntries(streams[0][1]) : [];
    },

    async ack(stream, group, ids) {
      assertOpen();
      if (ids.length === 0) return;
      await commands.xack(key(stream), group, ...ids);
    },

    async claimStale(stream, group, consumer, minIdleMs, count) {
      assertOpen();
      const claimed: StreamEntry[] = [];
      let cursor = '0-0';
      // XAUTOCLAIM scans a bounded slice of the pending list per call: follow the cursor until done.
      do {
        const wanted = count - claimed.length;
        const reply = (await commands.xautoclaim(key(stream), group, consumer, Math.max(0, Math.floor(minIdleMs)), cursor, 'COUNT', wanted)) as [
          string,
          RawEntry[],
          ...unknown[],
        ];
        cursor = reply[0];
        claimed.push(...toEntries(reply[1]));
      } while (cursor !== '0-0' && claimed.length < count);
      return claimed;
    },

    async groupInfo(stream, group) {
      assertOpen();
      let reply: unknown;
      try {
        reply = await commands.xinfo('GROUPS', key(stream));
      } catch (error) {
        // "ERR no such key": the stream itself is gone (e.g. Redis restarted empty).
        if (error instanceof Error && /no such key/i.test(error.message)) return null;
        throw error;
      }
      for (const fields of reply as unknown[][]) {
        const info = new Map<string, unknown>();
        for (let i = 0; i + 1 < fields.length; i += 2) info.set(String(fields[i]), fields[i + 1]);
        if (info.get('name') !== group) continue;
        const lag = info.get('lag');
        // `lag` is nil when Redis cannot compute it (entries deleted or trimmed inside the group's range).
        return { lag: typeof lag === 'number' ? lag : null, pending: Number(info.get('pending') ?? 0) };
      }
      return null;
    },

    async close() {
      if (closed) return;
      closed = true;
      handlersByChannel.clear();
      for (const redis of allBlockingConnections) redis.disconnect();
      await Promise.all([ownsCommands ? commands.quit() : undefined, subscriber?.quit()]);
    },
  };
}
