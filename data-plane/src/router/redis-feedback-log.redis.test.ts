import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { clusterForTests, clusterTestsSkipReason } from '@switchyard/redis-connection/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFeedbackLogContract } from './feedback-log.contract';
import { createRedisFeedbackLog } from './redis-feedback-log';

const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `sy-test-feedback-${randomUUID()}:`;

runFeedbackLogContract('redis', () => createRedisFeedbackLog(redisUrl, { keyPrefix: `${runPrefix}${randomUUID()}:` }));

// The same contract on a real 3-master Redis Cluster of this file's own.
describe.skipIf(clusterTestsSkipReason())('on a Redis Cluster', () => {
  const cluster = clusterForTests();
  beforeAll(cluster.start);
  afterAll(cluster.stop);
  runFeedbackLogContract('redis cluster', () => createRedisFeedbackLog(cluster.url, { keyPrefix: `${randomUUID()}:` }));
});

afterAll(async () => {
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${runPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('redis feedback log', () => {
  const served = { tenantId: 't1', route: 'smart', upstream: 'mock/mock-mini' };

  it('lets a replica take what another remembered, once', async () => {
    const keyPrefix = `${runPrefix}${randomUUID()}:`;
    const replicaA = createRedisFeedbackLog(redisUrl, { keyPrefix });
    const replicaB = createRedisFeedbackLog(redisUrl, { keyPrefix });
    await replicaA.remember('req-1', served);
    expect(await replicaB.take('req-1', 't1')).toEqual(served);
    expect(await replicaA.take('req-1', 't1')).toBeUndefined();
    await Promise.all([replicaA.close(), replicaB.close()]);
  });

  it('stores under the key prefix with the configured TTL', async () => {
    const keyPrefix = `${runPrefix}${randomUUID()}:`;
    const log = createRedisFeedbackLog(redisUrl, { keyPrefix, ttlSeconds: 120 });
    await log.remember('req-ttl', served);
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${keyPrefix}*`);
    expect(keys).toEqual([`${keyPrefix}switchyard:feedback:t1:req-ttl`]);
    const ttl = await redis.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(120);
    await redis.quit();
    await log.close();
  });

  it('treats a corrupted entry as unknown instead of crashing', async () => {
    const keyPrefix = `${runPrefix}${randomUUID()}:`;
    const log = createRedisFeedbackLog(redisUrl, { keyPrefix });
    const redis = new Redis(redisUrl);
    await redis.set(`${keyPrefix}switchyard:feedback:t1:req-bad`, '{not json');
    expect(await log.take('req-bad', 't1')).toBeUndefined();
    await redis.quit();
    await log.close();
  });
});
