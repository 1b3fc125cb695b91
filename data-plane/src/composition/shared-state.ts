import { type Bus, createInProcessBus, createRedisBus } from '@switchyard/bus';
import { openRedis, parseRedisTarget } from '@switchyard/redis-connection';
import { createInProcessSessionWindow, createRedisSessionWindow, type SessionWindow, type SessionWindowLimits } from '@switchyard/memory/session';
import { createInProcessRateLimiter } from '../ingress/rate-limit/in-process-rate-limiter';
import type { RateLimiter } from '../ingress/rate-limit/rate-limiter';
import { createRedisRateLimiter } from '../ingress/rate-limit/redis-rate-limiter';
import type { FeedbackLog } from '../router/feedback-log';
import { createRedisFeedbackLog } from '../router/redis-feedback-log';

/** What the shared state is opened from: `REDIS_URL` and `REDIS_KEY_PREFIX` (config.ts, `redisEnvShape`). */
export interface SharedStateConfig {
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  /** The session window's limits (MEMORY_*); default: the memory package's. */
  memory?: SessionWindowLimits;
  /** How long a token settlement waits to ride with its tenant's next reservation (redis-rate-limiter.ts); 0: its own call at once. */
  rateLimitSettleLingerMs?: number;
}

/**
 * Where every replica's shared state lives in Redis. One function for every deployable (standalone
 * data plane, `npm start`, benchmark), so two processes on one REDIS_URL and prefix always meet:
 * the same usage stream, the same rate-limit keys, the same feedback keys.
 */
export interface RedisKeyNames {
  /** Prepended to every bus stream and channel name (those already start with `switchyard:`). */
  bus: string;
  /** Prepended to every rate-limit key (`rpm:{<tenant id>}:<key id>`, `tpd-tenant:{<tenant id>}`, …: see `limitKeys`). */
  rateLimits: string;
  /** Prepended to the feedback log's keys (which start with `switchyard:feedback:`). */
  feedbackLog: string;
  /** Prepended to the session window's keys (which start with `switchyard:mem:{<tenant>}:`). */
  memory: string;
}

export function redisKeyNames(prefix: string): RedisKeyNames {
  return { bus: prefix, rateLimits: `${prefix}switchyard:rl:`, feedbackLog: prefix, memory: prefix };
}

/** The state data-plane replicas share: the bus, the rate limiter and the feedback log. */
export interface SharedState {
  kind: 'redis' | 'in-process';
  bus: Bus;
  rateLimiter: RateLimiter;
  /** Redis only: without it each replica keeps its own (the app's in-memory default). */
  feedbackLog: FeedbackLog | undefined;
  /** The memory fabric's session window: Redis with TTL, or in-process. */
  sessionWindow: SessionWindow;
  close(): Promise<void>;
}

/** Redis when configured (shared by every replica), otherwise in-process implementations (this process only). */
export function openSharedState(config: SharedStateConfig): SharedState {
  if (!config.redisUrl) {
    const bus = createInProcessBus();
    const rateLimiter = createInProcessRateLimiter();
    const sessionWindow = createInProcessSessionWindow(config.memory ? { limits: config.memory } : {});
    return {
      kind: 'in-process',
      bus,
      rateLimiter,
      feedbackLog: undefined,
      sessionWindow,
      async close() {
        await Promise.all([bus.close(), rateLimiter.close(), sessionWindow.close()]);
      },
    };
  }
  const names = redisKeyNames(config.redisKeyPrefix);
  // On one node, one connection for what every request touches (its limit script, its usage append,
  // its feedback entry): ioredis auto-pipelines per connection, so what a turn issues (one request's
  // entry and append, or many concurrent requests' scripts) leaves in one socket write and comes back
  // in one read, not one per user. Each of those users issues short non-blocking commands only; the
  // bus's subscriber and blocking reads run on its own duplicates. Not on a cluster: ioredis resends
  // an auto-pipeline redirected by a failover only when every command in it got the same MOVED (one
  // slot), and a shared pipeline mixes the stream's slot with the tenants' (failover test beside).
  const requestPath = parseRedisTarget(config.redisUrl).kind === 'node' ? openRedis(config.redisUrl) : config.redisUrl;
  const bus = createRedisBus(requestPath, { keyPrefix: names.bus });
  const rateLimiter = createRedisRateLimiter(requestPath, { keyPrefix: names.rateLimits, ...(config.rateLimitSettleLingerMs !== undefined ? { settleLingerMs: config.rateLimitSettleLingerMs } : {}) });
  const feedbackLog = createRedisFeedbackLog(requestPath, { keyPrefix: names.feedbackLog });
  const sessionWindow = createRedisSessionWindow(config.redisUrl, { keyPrefix: names.memory, ...(config.memory ? { limits: config.memory } : {}) });
  return {
    kind: 'redis',
    bus,
    rateLimiter,
    feedbackLog,
    sessionWindow,
    async close() {
      await Promise.all([bus.close(), rateLimiter.close(), feedbackLog.close(), sessionWindow.close()]);
      // Last: the limiter's waiting settlements were sent on it above.
      if (typeof requestPath !== 'string') await requestPath.quit();
    },
  };
}
