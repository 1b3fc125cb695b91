import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetrics } from '../telemetry/metrics';
import type { PriceBook } from './price-book';
import { USAGE_STREAM, usageEventSchema } from '@switchyard/events/usage';
import { createUsageRecorder, type CompletedRequest } from './usage-recorder';

const TENANT = '00000000-0000-4000-8000-000000000001';
const KEY = '00000000-0000-4000-8000-000000000002';
const BOOK: PriceBook = { version: 3, prices: [{ model: 'gpt', inputPer1kMicros: 1_000n, outputPer1kMicros: 2_000n }] };

function completed(requestId: string, overrides: Partial<CompletedRequest> = {}): CompletedRequest {
  return {
    requestId,
    tenantId: TENANT,
    apiKeyId: KEY,
    model: 'gpt',
    provider: 'openai',
    promptTokens: 10,
    completionTokens: 20,
    latencyMs: 12.6,
    status: 'ok',
    completedAt: new Date('2026-11-26T08:00:00.000Z'),
    ...overrides,
  };
}

interface Deferred {
  resolve(): void;
  reject(error: Error): void;
}

/** A bus whose appends are acknowledged only when the test says so. */
function manualBus() {
  const appended: { stream: string; payload: string; ack: Deferred }[] = [];
  return {
    appended,
    bus: {
      append(stream: string, payload: string): Promise<string> {
        return new Promise<string>((resolve, reject) => {
          appended.push({ stream, payload, ack: { resolve: () => resolve(`${appended.length}-0`), reject } });
        });
      },
    },
  };
}

function errorLog() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { lines, logger };
}

const failures = async (metrics: ReturnType<typeof createMetrics>): Promise<number> => (await metrics.usageEventFailures.get()).values[0]?.value ?? 0;

describe('usage recorder (batched per event-loop turn)', () => {
  it('prices a turn of requests with one price book read and appends one event each, in completion order', async () => {
    const { bus, appended } = manualBus();
    let bookReads = 0;
    const recorder = createUsageRecorder({ bus, priceBook: { current: async () => (bookReads++, BOOK) }, metrics: createMetrics(), logger: pino({ level: 'silent' }) });
    for (const id of ['r1', 'r2', 'r3']) recorder.record(completed(id));
    expect(appended).toHaveLength(0); // never on the caller's stack
    const drained = recorder.drain();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(bookReads).toBe(1);
    expect(appended.map((entry) => entry.stream)).toEqual([USAGE_STREAM, USAGE_STREAM, USAGE_STREAM]);
    expect(appended.map((entry) => (JSON.parse(entry.payload) as { requestId: string }).requestId)).toEqual(['r1', 'r2', 'r3']);
    for (const entry of appended) entry.ack.resolve();
    await drained;
  });

  it('writes events the consumer schema accepts, unchanged by a parse round trip', async () => {
    const { bus, appended } = manualBus();
    const recorder = createUsageRecorder({ bus, priceBook: { current: async () => BOOK }, metrics: createMetrics(), logger: pino({ level: 'silent' }) });
    recorder.record(
      completed('r1', {
        piiRedactions: { email: 2 },
        route: { name: 'fast', configured: true, strategy: 'priority', candidate: 'openai/gpt', legs: [{ upstream: 'openai/gpt', model: 'gpt', outcome: 'won', promptTokens: 10, completionTokens: 20 }] },
      }),
    );
    recorder.record(completed('r2', { apiKeyId: null, piiRedactions: {}, status: 'error', promptTokens: 0, completionTokens: 0 }));
    const drained = recorder.drain();
    while (appended.length < 2) await new Promise((resolve) => setImmediate(resolve));
    for (const entry of appended) entry.ack.resolve();
    await drained;
    const [first, second] = appended.map((entry) => JSON.parse(entry.payload) as unknown);
    expect(usageEventSchema.parse(first)).toEqual(first);
    expect(usageEventSchema.parse(second)).toEqual(second);
    expect(first).toMatchObject({ priceBookVersion: 3, costMicros: '50', latencyMs: 13, piiRedactions: { email: 2 }, createdAt: '2026-11-26T08:00:00.000Z' });
    expect(second).not.toHaveProperty('piiRedactions');
    expect(second).not.toHaveProperty('route');
  });

  it('counts an event as recorded only once the bus acknowledged it: drain waits for every acknowledgement', async () => {
    const { bus, appended } = manualBus();
    const recorder = createUsageRecorder({ bus, priceBook: { current: async () => BOOK }, metrics: createMetrics(), logger: pino({ level: 'silent' }) });
    recorder.record(completed('r1'));
    recorder.record(completed('r2'));
    let drained = false;
    const draining = recorder.drain().then(() => (drained = true));
    while (appended.length < 2) await new Promise((resolve) => setImmediate(resolve));
    appended[0]?.ack.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    // Recorded during the drain (a request finishing while the data plane closes): waited for too.
    recorder.record(completed('r3'));
    appended[1]?.ack.resolve();
    while (appended.length < 3) await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    appended[2]?.ack.resolve();
    await draining;
    expect(drained).toBe(true);
  });

  it('retries an append the bus refused until it is acknowledged (an unreachable Redis does not lose the event)', async () => {
    const payloads: string[] = [];
    let calls = 0;
    const bus = {
      append: async (_stream: string, payload: string) => {
        calls += 1;
        if (calls === 1) throw new Error('connection refused');
        payloads.push(payload);
        return '1-0';
      },
    };
    const metrics = createMetrics();
    const recorder = createUsageRecorder({ bus, priceBook: { current: async () => BOOK }, metrics, logger: pino({ level: 'silent' }) });
    recorder.record(completed('r1'));
    await recorder.drain();
    expect(calls).toBe(2);
    expect(payloads.map((payload) => (JSON.parse(payload) as { requestId: string }).requestId)).toEqual(['r1']);
    expect(await failures(metrics)).toBe(0);
  });

  it('past the retry window gives the event up loudly: failure metric and an error log carrying the whole event for replay', async () => {
    const bus = { append: async (): Promise<string> => Promise.reject(new Error('connection refused')) };
    const metrics = createMetrics();
    const { lines, logger } = errorLog();
    const recorder = createUsageRecorder({ bus, priceBook: { current: async () => BOOK }, metrics, logger, retryForMs: 0 });
    recorder.record(completed('r1'));
    recorder.record(completed('r2'));
    await recorder.drain();
    expect(await failures(metrics)).toBe(2);
    const given = lines.filter((line) => line.msg === 'usage event could not be recorded');
    expect(given.map((line) => line.requestId)).toEqual(['r1', 'r2']);
    expect(usageEventSchema.parse(JSON.parse(String(given[0]?.usageEvent)))).toMatchObject({ requestId: 'r1' });
  });

  it('without a published price book records nothing and counts every event of the batch as failed', async () => {
    const { bus, appended } = manualBus();
    const metrics = createMetrics();
    const recorder = createUsageRecorder({ bus, priceBook: { current: async () => null }, metrics, logger: pino({ level: 'silent' }) });
    recorder.record(completed('r1'));
    recorder.record(completed('r2'));
    await recorder.drain();
    expect(appended).toHaveLength(0);
    expect(await failures(metrics)).toBe(2);
  });

  it('a price book source that throws fails the batch without an unhandled rejection, and the next turn records again', async () => {
    const { bus, appended } = manualBus();
    const metrics = createMetrics();
    let reads = 0;
    const priceBook = { current: async () => (++reads === 1 ? Promise.reject(new Error('database down')) : BOOK) };
    const recorder = createUsageRecorder({ bus, priceBook, metrics, logger: pino({ level: 'silent' }) });
    recorder.record(completed('r1'));
    await recorder.drain();
    expect(await failures(metrics)).toBe(1);
    recorder.record(completed('r2'));
    const drained = recorder.drain();
    while (appended.length < 1) await new Promise((resolve) => setImmediate(resolve));
    appended[0]?.ack.resolve();
    await drained;
    expect(appended.map((entry) => (JSON.parse(entry.payload) as { requestId: string }).requestId)).toEqual(['r2']);
  });

  describe('flush window', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('a lone event is flushed in the next turn; events completed within the window after a flush share the next one', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const { bus, appended } = manualBus();
      let bookReads = 0;
      const recorder = createUsageRecorder({ bus, priceBook: { current: async () => (bookReads++, BOOK) }, metrics: createMetrics(), logger: pino({ level: 'silent' }), flushWindowMs: 50 });
      const ids = (): string[] => appended.map((entry) => (JSON.parse(entry.payload) as { requestId: string }).requestId);
      recorder.record(completed('r1'));
      while (appended.length < 1) await new Promise((resolve) => setImmediate(resolve));
      expect(ids()).toEqual(['r1']);
      vi.advanceTimersByTime(10);
      recorder.record(completed('r2'));
      await new Promise((resolve) => setImmediate(resolve));
      recorder.record(completed('r3'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(ids()).toEqual(['r1']); // held until 50 ms after the previous flush
      vi.advanceTimersByTime(40);
      while (appended.length < 3) await new Promise((resolve) => setImmediate(resolve));
      expect(ids()).toEqual(['r1', 'r2', 'r3']);
      expect(bookReads).toBe(2);
      for (const entry of appended) entry.ack.resolve();
      await recorder.drain();
    });

    it('drain flushes an open window at once instead of waiting for its timer (a closing data plane loses nothing)', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const { bus, appended } = manualBus();
      const recorder = createUsageRecorder({ bus, priceBook: { current: async () => BOOK }, metrics: createMetrics(), logger: pino({ level: 'silent' }), flushWindowMs: 60_000 });
      recorder.record(completed('r0'));
      while (appended.length < 1) await new Promise((resolve) => setImmediate(resolve));
      recorder.record(completed('r1')); // within the window of r0's flush: waits for a timer
      await new Promise((resolve) => setImmediate(resolve));
      expect(appended).toHaveLength(1);
      const drained = recorder.drain();
      while (appended.length < 2) await new Promise((resolve) => setImmediate(resolve));
      for (const entry of appended) entry.ack.resolve();
      await drained;
      // The cancelled timer does not flush again later.
      vi.advanceTimersByTime(60_000);
      await new Promise((resolve) => setImmediate(resolve));
      expect(appended).toHaveLength(2);
    });

    it('recordConfirmed does not wait for the window: its event (and what is queued before it) goes at the end of this turn', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const { bus, appended } = manualBus();
      const recorder = createUsageRecorder({ bus, priceBook: { current: async () => BOOK }, metrics: createMetrics(), logger: pino({ level: 'silent' }), flushWindowMs: 60_000 });
      recorder.record(completed('r0'));
      while (appended.length < 1) await new Promise((resolve) => setImmediate(resolve));
      recorder.record(completed('r1')); // within the window: waits for its timer
      const confirmed = recorder.recordConfirmed(completed('r2'));
      while (appended.length < 3) await new Promise((resolve) => setImmediate(resolve));
      expect(appended.map((entry) => (JSON.parse(entry.payload) as { requestId: string }).requestId)).toEqual(['r0', 'r1', 'r2']);
      for (const entry of appended) entry.ack.resolve();
      expect(await confirmed).toBe(true);
      await recorder.drain();
    });
  });

  describe('recordConfirmed', () => {
    it('appends within the turn it was called in, before any callback of the next turn (so the append shares the turn\'s Redis write)', async () => {
      const { bus, appended } = manualBus();
      const recorder = createUsageRecorder({ bus, priceBook: { current: async () => BOOK }, metrics: createMetrics(), logger: pino({ level: 'silent' }) });
      const appendedByNextTurn = new Promise<number>((resolve) => setImmediate(() => resolve(appended.length)));
      const confirmed = recorder.recordConfirmed(completed('r1'));
      expect(await appendedByNextTurn).toBe(1);
      appended[0]?.ack.resolve();
      expect(await confirmed).toBe(true);
    });

    it('settles true only once the bus acknowledged that event', async () => {
      const { bus, appended } = manualBus();
      const recorder = createUsageRecorder({ bus, priceBook: { current: async () => BOOK }, metrics: createMetrics(), logger: pino({ level: 'silent' }) });
      let settled: boolean | undefined;
      const confirmed = recorder.recordConfirmed(completed('r1')).then((value) => (settled = value));
      while (appended.length < 1) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBeUndefined();
      appended[0]?.ack.resolve();
      await confirmed;
      expect(settled).toBe(true);
    });

    it('settles false at the first refused append while the event is still retried in memory (the caller need not wait for Redis to return)', async () => {
      let calls = 0;
      const payloads: string[] = [];
      const bus = {
        append: async (_stream: string, payload: string) => {
          calls += 1;
          if (calls === 1) throw new Error('connection refused');
          payloads.push(payload);
          return '1-0';
        },
      };
      const recorder = createUsageRecorder({ bus, priceBook: { current: async () => BOOK }, metrics: createMetrics(), logger: pino({ level: 'silent' }) });
      expect(await recorder.recordConfirmed(completed('r1'))).toBe(false);
      await recorder.drain();
      expect(payloads.map((payload) => (JSON.parse(payload) as { requestId: string }).requestId)).toEqual(['r1']);
    });

    it('settles false, never rejects, when the event cannot be priced (no price book, or its source throws)', async () => {
      const { bus } = manualBus();
      const none = createUsageRecorder({ bus, priceBook: { current: async () => null }, metrics: createMetrics(), logger: pino({ level: 'silent' }) });
      expect(await none.recordConfirmed(completed('r1'))).toBe(false);
      const throwing = createUsageRecorder({ bus, priceBook: { current: async () => Promise.reject(new Error('db down')) }, metrics: createMetrics(), logger: pino({ level: 'silent' }) });
      expect(await throwing.recordConfirmed(completed('r2'))).toBe(false);
    });
  });
});
