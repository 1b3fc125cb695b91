import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { runSliCountersContract } from './sli-counters.contract';
import { createRedisSliCounters } from './redis-sli-counters';

const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `sy-test-sli-${randomUUID()}:`;
const opened: Array<{ close(): Promise<void> }> = [];

runSliCountersContract('redis', () => {
  const counters = createRedisSliCounters(redisUrl, { keyPrefix: runPrefix });
  opened.push(counters);
  return counters;
});

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${runPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});
