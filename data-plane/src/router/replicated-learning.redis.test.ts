import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { clusterForTests, clusterTestsSkipReason } from '@switchyard/redis-connection/testing';
import { afterAll, beforeAll, describe } from 'vitest';
import { createRedisBus } from '@switchyard/bus';
import { createRedisFeedbackLog } from './redis-feedback-log';
import { runReplicatedLearningContract } from './replicated-learning.contract';

const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `sy-test-replicated-${randomUUID()}:`;

// Production: two replicas, each with its own Redis connections, sharing one Redis under one key prefix.
runReplicatedLearningContract('redis', async () => {
  const keyPrefix = `${runPrefix}${randomUUID()}:`;
  const busA = createRedisBus(redisUrl, { keyPrefix });
  const busB = createRedisBus(redisUrl, { keyPrefix });
  const logA = createRedisFeedbackLog(redisUrl, { keyPrefix });
  const logB = createRedisFeedbackLog(redisUrl, { keyPrefix });
  return {
    busA,
    busB,
    logA,
    logB,
    close: async () => {
      await Promise.all([busA.close(), busB.close(), logA.close(), logB.close()]);
    },
  };
});

afterAll(async () => {
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${runPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

// The same two replicas on a real 3-master Redis Cluster of this file's own.
describe.skipIf(clusterTestsSkipReason())('on a Redis Cluster', () => {
  const cluster = clusterForTests();
  beforeAll(cluster.start);
  afterAll(cluster.stop);
  runReplicatedLearningContract('redis cluster', async () => {
    const keyPrefix = `${randomUUID()}:`;
    const busA = createRedisBus(cluster.url, { keyPrefix });
    const busB = createRedisBus(cluster.url, { keyPrefix });
    const logA = createRedisFeedbackLog(cluster.url, { keyPrefix });
    const logB = createRedisFeedbackLog(cluster.url, { keyPrefix });
    return {
      busA,
      busB,
      logA,
      logB,
      close: async () => {
        await Promise.all([busA.close(), busB.close(), logA.close(), logB.close()]);
      },
    };
  });
});
