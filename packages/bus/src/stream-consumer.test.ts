import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, StreamEntry } from './bus';
import { createInProcessBus } from './in-process-bus';
import { startStreamConsumer, type StreamConsumer, type StreamConsumerOptions } from './stream-consumer';
import { streamConsumerMetrics } from './stream-consumer-metrics';

const silent = { info: () => undefined, error: () => undefined };
const started: StreamConsumer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((consumer) => consumer.stop()));
});

/**
 * An in-process bus that can "restart empty" like a Redis without persistence: every stream and
 * group is gone afterwards, and the consumer's next command gets the missing-group error.
 */
function restartableBus(): { bus: Bus; restartEmpty(): void } {
  let inner = createInProcessBus();
  const bus: Bus = {
    publish: (...args) => inner.publish(...args),
    subscribe: (...args) => inner.subscribe(...args),
    append: (...args) => inner.append(...args),
    ensureGroup: (...args) => inner.ensureGroup(...args),
    readGroup: (...args) => inner.readGroup(...args),
    ack: (...args) => inner.ack(...args),
    claimStale: (...args) => inner.claimStale(...args),
    groupInfo: (...args) => inner.groupInfo(...args),
    close: () => inner.close(),
  };
  return {
    bus,
    restartEmpty() {
      const old = inner;
      inner = createInProcessBus();
      void old.close();
    },
  };
}

/** A consumer of stream `s`, group `g`, tracked for afterEach. */
function consume(bus: Bus, options: Pick<StreamConsumerOptions, 'handle'> & Partial<StreamConsumerOptions>): StreamConsumer {
  const consumer = startStreamConsumer({ bus, stream: 's', group: 'g', consumer: 'c1', logger: silent, blockMs: 10, ...options });
  started.push(consumer);
  return consumer;
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (const giveUpAt = Date.now() + timeoutMs; !check(); ) {
    if (Date.now() > giveUpAt) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('stream consumer', () => {
  it('creates its group, hands every entry over once, in order, and acks what the handler acks', async () => {
    const bus = createInProcessBus();
    await bus.append('s', 'before-start');
    const seen: string[] = [];
    consume(bus, {
      async handle(entries) {
        seen.push(...entries.map((entry) => entry.payload));
        await bus.ack('s', 'g', entries.map((entry) => entry.id));
      },
    });
    for (const payload of ['a', 'b', 'c']) await bus.append('s', payload);
    await until(() => seen.length === 4);
    expect(seen).toEqual(['before-start', 'a', 'b', 'c']);
    expect(await bus.claimStale('s', 'g', 'probe', 0, 10)).toEqual([]);
    await bus.close();
  });

  it('a failing round is retried: what the handler left unacked is claimed again after claimIdleMs', async () => {
    const bus = createInProcessBus();
    let failures = 0;
    const handled: string[][] = [];
    const errors: string[] = [];
    consume(bus, {
      logger: { info: () => undefined, error: (fields) => errors.push(String((fields as { err: unknown }).err)) },
      claimIdleMs: 20,
      retryDelayMs: 5,
      async handle(entries: readonly StreamEntry[]) {
        if (failures < 2) {
          failures += 1;
          throw new Error(`database down ${failures}`);
        }
        handled.push(entries.map((entry) => entry.payload));
        await bus.ack('s', 'g', entries.map((entry) => entry.id));
      },
    });
    await bus.append('s', 'x');
    await until(() => handled.length === 1);
    expect(handled).toEqual([['x']]);
    expect(errors).toEqual(['database down 1', 'database down 2']);
    await bus.close();
  });

  it('stop() ends a consumer blocked in a read', async () => {
    const bus = createInProcessBus();
    const consumer = startStreamConsumer({ bus, stream: 's', group: 'g', consumer: 'c1', logger: silent, blockMs: 60_000, handle: async () => undefined });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const stopping = consumer.stop();
    await bus.close();
    await stopping;
  });

  it('recreates its group from the beginning when the bus restarts empty: nothing appended after the restart is skipped', async () => {
    const { bus, restartEmpty } = restartableBus();
    const registry = new Registry();
    const seen: string[] = [];
    const errors: object[] = [];
    consume(bus, {
      metrics: streamConsumerMetrics(registry),
      lagSampleMs: 0,
      retryDelayMs: 5,
      logger: { info: () => undefined, error: (fields) => errors.push(fields) },
      async handle(entries) {
        seen.push(...entries.map((entry) => entry.payload));
        await bus.ack('s', 'g', entries.map((entry) => entry.id));
      },
    });
    await bus.append('s', 'before');
    await until(() => seen.length === 1);
    restartEmpty();
    // A producer appends right after the restart, before the consumer noticed: a group created at `$` would skip these.
    await bus.append('s', 'after-1');
    await bus.append('s', 'after-2');
    await until(() => seen.length === 3);
    expect(seen).toEqual(['before', 'after-1', 'after-2']);
    await bus.append('s', 'later');
    await until(() => seen.length === 4);

    const text = await registry.metrics();
    expect(text).toMatch(/switchyard_stream_consumer_failures_total\{stream="s",group="g",reason="missing_group"\} [1-9]/);
    expect(text).toMatch(/switchyard_stream_consumer_group_recreated_total\{stream="s",group="g"\} 1/);
    expect(text).toMatch(/switchyard_stream_consumer_entries_total\{stream="s",group="g"\} 4/);
    expect(text).toMatch(/switchyard_stream_consumer_lag\{stream="s",group="g"\} 0/);
    // One log line for the loss, not one per round.
    expect(errors).toHaveLength(1);
  });

  it('counts failed rounds by reason and reports the lag back at 0 once caught up', async () => {
    const bus = createInProcessBus();
    const registry = new Registry();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let rounds = 0;
    let acked = 0;
    consume(bus, {
      metrics: streamConsumerMetrics(registry),
      lagSampleMs: 0,
      batchSize: 1,
      retryDelayMs: 5,
      claimIdleMs: 0,
      async handle(entries) {
        rounds += 1;
        if (rounds === 1) throw new Error('database down');
        await gate;
        await bus.ack('s', 'g', entries.map((entry) => entry.id));
        acked += entries.length;
      },
    });
    for (const payload of ['a', 'b', 'c', 'd']) await bus.append('s', payload);
    await until(() => rounds >= 2);
    expect((await bus.groupInfo('s', 'g'))?.lag).toBeGreaterThan(0);
    release();
    await until(() => acked === 4);
    await bus.append('s', 'e');
    await until(() => acked === 5);
    const text = await registry.metrics();
    expect(text).toMatch(/switchyard_stream_consumer_failures_total\{stream="s",group="g",reason="error"\} 1/);
    expect(text).toMatch(/switchyard_stream_consumer_lag\{stream="s",group="g"\} 0/);
    expect(text).toMatch(/switchyard_stream_consumer_pending\{stream="s",group="g"\} [01]/);
    await bus.close();
  });
});
