import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { clusterForTests, clusterTestsSkipReason } from '@switchyard/redis-connection/testing';
import { afterAll, beforeAll, describe } from 'vitest';
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

// The same contract on a real 3-master Redis Cluster of this file's own: each series is its keys' hash tag.
describe.skipIf(clusterTestsSkipReason())('on a Redis Cluster', () => {
  const cluster = clusterForTests();
  const onCluster: Array<{ close(): Promise<void> }> = [];
  beforeAll(cluster.start);
  afterAll(async () => {
    await Promise.all(onCluster.map((c) => c.close()));
    await cluster.stop();
  });
  runSliCountersContract('redis cluster', () => {
    const counters = createRedisSliCounters(cluster.url, { keyPrefix: `${randomUUID()}:` });
    onCluster.push(counters);
    return counters;
  });
});
