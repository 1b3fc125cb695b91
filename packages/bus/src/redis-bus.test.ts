import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { runBusContract } from './bus.contract';
import { createRedisBus } from './redis-bus';

const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `sy-test-bus-${randomUUID()}:`;

// Each bus gets a fresh key prefix, so concurrent test files never see each other's keys.
runBusContract('redis', () => createRedisBus(redisUrl, { keyPrefix: `${runPrefix}${randomUUID()}:` }));

afterAll(async () => {
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${runPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});
