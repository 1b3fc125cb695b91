import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
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
