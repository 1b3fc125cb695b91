import { ThrowawayRedis } from '@switchyard/redis-connection/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBus } from './redis-bus';
import { startStreamConsumer } from './stream-consumer';
import { streamConsumerMetrics } from './stream-consumer-metrics';

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  for (const giveUpAt = Date.now() + timeoutMs; !check(); ) {
    if (Date.now() > giveUpAt) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('stream consumer on a Redis that restarts empty', () => {
  let redis: ThrowawayRedis;
  beforeAll(async () => {
    redis = await ThrowawayRedis.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('recreates its group and consumes what is appended after the restart; counts the loss in its metrics', async () => {
    const consumerBus = createRedisBus(redis.url);
    const producerBus = createRedisBus(redis.url);
    const registry = new Registry();
    const seen: string[] = [];
    const consumer = startStreamConsumer({
      bus: consumerBus,
      stream: 'usage',
      group: 'cost-writer',
      consumer: 'c1',
      logger: { info: () => undefined, error: () => undefined },
      blockMs: 50,
      retryDelayMs: 20,
      lagSampleMs: 0,
      metrics: streamConsumerMetrics(registry),
      async handle(entries) {
        seen.push(...entries.map((entry) => entry.payload));
        await consumerBus.ack('usage', 'cost-writer', entries.map((entry) => entry.id));
      },
    });
    try {
      await producerBus.append('usage', 'before-restart');
      await until(() => seen.length === 1);

      await redis.stop();
      await redis.start();
      // The first append after the restart recreates the stream (but no group) at once.
      const appended: string[] = [];
      for (let i = 0; i < 20; i += 1) {
        await producerBus.append('usage', `after-restart-${i}`);
        appended.push(`after-restart-${i}`);
      }
      await until(() => seen.length === 21);
      expect(seen).toEqual(['before-restart', ...appended]);

      await producerBus.append('usage', 'later');
      await until(() => seen.length === 22);
      await until(() => false, 200).catch(() => undefined);
      const text = await registry.metrics();
      expect(text).toMatch(/switchyard_stream_consumer_failures_total\{stream="usage",group="cost-writer",reason="(missing_group|error)"\} [1-9]/);
      expect(text).toMatch(/switchyard_stream_consumer_lag\{stream="usage",group="cost-writer"\} 0/);
    } finally {
      await consumer.stop();
      await Promise.all([consumerBus.close(), producerBus.close()]);
    }
  }, 60_000);
});
