import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { createRedisBus } from '@switchyard/bus';
import { runFederatedRoutingContract } from './federated-routing.contract';

const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `sy-test-fedview-${randomUUID()}`;

// Each region's bus on Redis under a prefix of its own (in production, each region's own Redis):
// the view travels from A's coordinator to A's data plane over Redis pub/sub, never to B's bus.
runFederatedRoutingContract('redis', async () => {
  const run = `${runPrefix}-${randomUUID()}`;
  const a = createRedisBus(redisUrl, { keyPrefix: `${run}-a:` });
  const b = createRedisBus(redisUrl, { keyPrefix: `${run}-b:` });
  return { a, b, close: async () => Promise.all([a.close(), b.close()]).then(() => undefined) };
});

// The harness's usage stream went to region A's Redis: nothing of this run stays behind.
afterAll(async () => {
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${runPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});
