import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, StreamEntry } from './bus';
import { createInProcessBus } from './in-process-bus';
import { startStreamConsumer, type StreamConsumer, type StreamConsumerOptions } from './stream-consumer';

const silent = { info: () => undefined, error: () => undefined };
const started: StreamConsumer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((consumer) => consumer.stop()));
});

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
});
