import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { openRedis } from '@switchyard/redis-connection';
import { clusterForTests, clusterTestsSkipReason } from '@switchyard/redis-connection/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBusContract } from './bus.contract';
import { createRedisBus } from './redis-bus';

const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = `sy-test-bus-${randomUUID()}:`;

// Each bus gets a fresh key prefix, so concurrent test files never see each other's keys.
runBusContract('redis', () => createRedisBus(redisUrl, { keyPrefix: `${runPrefix}${randomUUID()}:` }));

// On a connection its owner shares (the data plane's request path): the same contract, and close leaves it open.
describe('redis bus on a shared connection', () => {
  const shared = openRedis(redisUrl);
  afterAll(async () => {
    await shared.quit();
  });
  runBusContract('redis (shared connection)', () => createRedisBus(shared, { keyPrefix: `${runPrefix}${randomUUID()}:` }));

  it('close leaves the connection it was given open', async () => {
    const bus = createRedisBus(shared, { keyPrefix: `${runPrefix}${randomUUID()}:` });
    await bus.append('s', 'one');
    await bus.close();
    expect(await shared.ping()).toBe('PONG');
  });
});

afterAll(async () => {
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${runPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

// The same contract on a real 3-master Redis Cluster of this file's own (streams and channels spread over its slots).
describe.skipIf(clusterTestsSkipReason())('on a Redis Cluster', () => {
  const cluster = clusterForTests();
  beforeAll(cluster.start);
  afterAll(cluster.stop);
  runBusContract('redis cluster', () => createRedisBus(cluster.url, { keyPrefix: `${randomUUID()}:` }));

  it("keeps a channel's messages in order, whichever node a subscriber listens on", async () => {
    // PUBLISH names no key: sent to any node, two messages could take two nodes' cluster-bus links.
    const publisher = createRedisBus(cluster.url, { keyPrefix: `${randomUUID()}:` });
    const received: string[] = [];
    try {
      await publisher.subscribe('ordered', (message) => received.push(message));
      const sent = Array.from({ length: 60 }, (_, i) => String(i));
      for (const message of sent) await publisher.publish('ordered', message);
      const deadline = Date.now() + 5_000;
      while (received.length < sent.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(received).toEqual(sent);
    } finally {
      await publisher.close();
    }
  });
});
