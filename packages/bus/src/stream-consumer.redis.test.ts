import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBus } from './redis-bus';
import { startStreamConsumer } from './stream-consumer';
import { streamConsumerMetrics } from './stream-consumer-metrics';

/**
 * A Redis of this test's own (never the shared one) on a free loopback port, restarted without its
 * data (`--save "" --appendonly no`), as a Redis without persistence comes back after a crash.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

class ThrowawayRedis {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.child = child;
    const giveUpAt = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.ping();
        return;
      } catch (error) {
        if (Date.now() > giveUpAt) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        client.disconnect();
      }
    }
  }
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill('SIGKILL');
    });
  }
}

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  for (const giveUpAt = Date.now() + timeoutMs; !check(); ) {
    if (Date.now() > giveUpAt) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('stream consumer on a Redis that restarts empty', () => {
  let redis: ThrowawayRedis;
  beforeAll(async () => {
    redis = new ThrowawayRedis(await freePort());
    await redis.start();
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
