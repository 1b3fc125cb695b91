import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createInProcessBus } from '@switchyard/bus';
import { REQUEST_LOG_STREAM } from '@switchyard/events/request-log';
import { createStaticPriceBookSource } from './price-book';
import { newRequestLogDraft, traceIdFromHeader } from './request-log-entry';
import { createRequestLogRecorder } from './request-log-recorder';

const tenantId = '7f1c6f53-5d4c-4cf5-8f7e-3c1b1f7e2a11';

function recorderAt(clock: { now: number }, limits: { refusalsPerTenantPerSecond?: number; maxQueued?: number }) {
  const bus = createInProcessBus();
  const dropped: string[] = [];
  const unattributed: string[] = [];
  const recorder = createRequestLogRecorder({
    bus,
    priceBook: createStaticPriceBookSource(null),
    logger: pino({ level: 'silent' }),
    limits,
    now: () => clock.now,
    metrics: { dropped: (reason) => dropped.push(reason), unattributed: (code) => unattributed.push(code) },
  });
  async function stored(): Promise<number> {
    await recorder.drain();
    await bus.ensureGroup(REQUEST_LOG_STREAM, 'g');
    const n = (await bus.readGroup(REQUEST_LOG_STREAM, 'g', 'c', { count: 1000, blockMs: 0 })).length;
    await bus.close();
    return n;
  }
  return { recorder, dropped, unattributed, stored };
}

function refusal(caller = true) {
  const draft = newRequestLogDraft({ requestId: crypto.randomUUID(), endpoint: 'chat_completions', startedAt: 0, traceId: null });
  if (caller) draft.caller = { tenantId, apiKeyId: null, userId: 'user:x' };
  draft.errorCode = 'rate_limit_exceeded';
  return draft;
}

describe('request log recorder bounds', () => {
  it('caps refusals per tenant per second and starts again the next second', async () => {
    const clock = { now: 10_000 };
    const { recorder, dropped, stored } = recorderAt(clock, { refusalsPerTenantPerSecond: 3 });
    for (let i = 0; i < 10; i++) recorder.record(refusal(), 429, clock.now);
    clock.now += 1000;
    for (let i = 0; i < 2; i++) recorder.record(refusal(), 429, clock.now);
    expect(await stored()).toBe(5);
    expect(dropped).toEqual(Array(7).fill('refusal_cap'));
  });

  it('never logs a refusal without a tenant, only counts it', async () => {
    const { recorder, unattributed, stored } = recorderAt({ now: 0 }, {});
    recorder.record(refusal(false), 401, 0);
    expect(await stored()).toBe(0);
    expect(unattributed).toEqual(['rate_limit_exceeded']);
  });

  it('drops past the queue bound', async () => {
    const { recorder, dropped, stored } = recorderAt({ now: 0 }, { maxQueued: 2, refusalsPerTenantPerSecond: 100 });
    for (let i = 0; i < 4; i++) recorder.record(refusal(), 429, 0);
    expect(await stored()).toBe(2);
    expect(dropped).toEqual(['queue_full', 'queue_full']);
  });
});

describe('trace id from traceparent', () => {
  it.each([
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '4bf92f3577b34da6a3ce929d0e0e4736'],
    ['00-00000000000000000000000000000000-00f067aa0ba902b7-01', null],
    ['01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', null],
    ['00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', null],
    ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'; DROP", null],
  ])('%s', (header, expected) => {
    expect(traceIdFromHeader(header)).toBe(expected);
  });
});
