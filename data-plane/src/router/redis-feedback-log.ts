import { openRedis, type RedisConnection } from '@switchyard/redis-connection';
import { z } from 'zod';
import type { FeedbackLog, ServedRequest } from './feedback-log';

export interface RedisFeedbackLogOptions {
  /** Prepended to every key (REDIS_KEY_PREFIX; tests isolate runs with it). */
  keyPrefix?: string;
  /** How long a served request stays ratable (default one hour). */
  ttlSeconds?: number;
}

const storedSchema = z.object({
  route: z.string(),
  upstream: z.string(),
  alias: z.string().max(200).optional(),
  experiment: z.object({ experimentId: z.string().max(100), arm: z.enum(['champion', 'challenger']) }).optional(),
});

/**
 * The shared feedback log: one key per served request, `<prefix>switchyard:feedback:<tenant>:<request id>`,
 * expiring after the TTL. The tenant is part of the key, so another tenant's request id is simply
 * absent (and is not consumed by the attempt); GETDEL takes an entry atomically, so concurrent
 * feedback on several replicas counts once. Every command names one key, so a Redis Cluster needs
 * no hash tag here.
 */
export function createRedisFeedbackLog(connection: string | RedisConnection, options: RedisFeedbackLogOptions = {}): FeedbackLog & { close(): Promise<void> } {
  const owned = typeof connection === 'string';
  const redis = owned ? openRedis(connection) : connection;
  const prefix = `${options.keyPrefix ?? ''}switchyard:feedback:`;
  const ttlSeconds = options.ttlSeconds ?? 3_600;
  // Tenant ids and request ids cannot contain the separator's meaning: encode both.
  const key = (tenantId: string, requestId: string): string => `${prefix}${encodeURIComponent(tenantId)}:${encodeURIComponent(requestId)}`;

  return {
    async remember(requestId, served) {
      await redis.set(key(served.tenantId, requestId), JSON.stringify({
          route: served.route,
          upstream: served.upstream,
          ...(served.alias === undefined ? {} : { alias: served.alias }),
          ...(served.experiment === undefined ? {} : { experiment: served.experiment }),
        }), 'EX', ttlSeconds);
    },
    async take(requestId, tenantId): Promise<ServedRequest | undefined> {
      const stored = await redis.getdel(key(tenantId, requestId));
      if (stored === null) return undefined;
      let json: unknown;
      try {
        json = JSON.parse(stored);
      } catch {
        return undefined;
      }
      const parsed = storedSchema.safeParse(json);
      if (!parsed.success) return undefined;
      const { alias, experiment, ...rest } = parsed.data;
      return { tenantId, ...rest, ...(alias === undefined ? {} : { alias }), ...(experiment === undefined ? {} : { experiment }) };
    },
    async close() {
      if (owned) await redis.quit();
    },
  };
}
