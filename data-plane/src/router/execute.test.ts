import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { UpstreamError, type ProviderAdapter } from '../adapters/adapter';
import type { CompletionEvent } from '../domain/completion-event';
import type { InferenceRequest } from '../domain/inference-request';
import { createMetrics } from '../telemetry/metrics';
import { OverloadedError } from './adaptive-concurrency';
import { CircuitOpenError, execute, ExecutionFailedError, type ExecutionPlan, type ExecutorDeps, type Upstream } from './execute';
import { seededRandom } from './random';
import { createRetryBudget } from './retry';
import type { SpeculativeConfig } from './route';
import { createUpstreamHealthRegistry, type UpstreamHealthOptions } from './upstream-health';
import { createUpstreamStats } from './upstream-stats';

const request: InferenceRequest = { model: 'r', messages: [{ role: 'user', content: 'hello there' }] };

interface Behaviour {
  /** Per call (1-based); the last entry repeats. */
  fail?: (call: number) => UpstreamError | undefined;
  firstEventMs?: number;
  hang?: boolean;
  chunks?: string[];
}

/** An adapter that records every call's signal, so tests can see cancellation. */
function fakeAdapter(name: string, behaviour: Behaviour = {}) {
  const signals: AbortSignal[] = [];
  const adapter: ProviderAdapter = {
    name,
    async start(_request, signal) {
      signals.push(signal);
      const failure = behaviour.fail?.(signals.length);
      if (failure) throw failure;
      if (behaviour.hang) await sleep(60_000, undefined, { signal });
      const chunks = behaviour.chunks ?? ['Hello', ' world'];
      async function* events(): AsyncGenerator<CompletionEvent> {
        if (behaviour.firstEventMs) await sleep(behaviour.firstEventMs, undefined, { signal });
        for (const content of chunks) yield { type: 'delta', content };
        yield { type: 'finish', finishReason: 'stop' };
      }
      return { events: events() };
    },
  };
  return { adapter, signals, calls: () => signals.length };
}

const upstream = (fake: { adapter: ProviderAdapter }, model = 'm'): Upstream => ({
  key: `${fake.adapter.name}/${model}`,
  model,
  provider: fake.adapter.name,
  adapter: fake.adapter,
  pricePer1kMicros: undefined,
});

function deps(overrides: Partial<ExecutorDeps> = {}, health: UpstreamHealthOptions = {}): ExecutorDeps & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    health: createUpstreamHealthRegistry(health),
    stats: createUpstreamStats(),
    retryBudget: createRetryBudget(),
    random: seededRandom(1),
    clock: Date.now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    metrics: createMetrics(),
    logger: pino({ level: 'silent' }),
    sleeps,
    ...overrides,
  };
}

const plan = (upstreams: Upstream[], extra: Partial<ExecutionPlan> = {}): ExecutionPlan => ({
  upstreams,
  speculative: undefined,
  retries: { max: 0, baseMs: 10 },
  firstTokenTimeoutMs: undefined,
  ...extra,
});
const never = new AbortController().signal;
const http500 = () => new UpstreamError('upstream_error', 'HTTP 500');

async function failureOf(promise: Promise<unknown>): Promise<ExecutionFailedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExecutionFailedError);
  return error as ExecutionFailedError;
}

describe('fail-over before the first event', () => {

  it('a plain leg calls the upstream with the request\'s own signal; racing legs and a first-token timer get signals of their own', async () => {
    const requestSignal = new AbortController().signal;
    const plain = fakeAdapter('plain');
    await execute(deps(), plan([upstream(plain)]), request, requestSignal);
    expect(plain.signals[0]).toBe(requestSignal);

    const timed = fakeAdapter('timed');
    await execute(deps(), plan([upstream(timed)], { firstTokenTimeoutMs: 1_000 }), request, requestSignal);
    expect(timed.signals[0]).not.toBe(requestSignal);

    const racing = fakeAdapter('racing');
    const other = fakeAdapter('other', { hang: true });
    const speculative: SpeculativeConfig = { mode: 'parallel', k: 2 };
    const execution = await execute(deps(), plan([upstream(racing), upstream(other)], { speculative }), request, requestSignal);
    expect(racing.signals[0]).not.toBe(requestSignal);
    // The loser is cancelled through its own signal; the request's is untouched.
    await execution.others;
    expect(other.signals[0]?.aborted).toBe(true);
    expect(requestSignal.aborted).toBe(false);
  });
  it('a 500 moves on to the next upstream; the legs say what happened', async () => {
    const broken = fakeAdapter('broken', { fail: http500 });
    const healthy = fakeAdapter('healthy');
    const execution = await execute(deps(), plan([upstream(broken), upstream(healthy)]), request, never);
    expect(execution.winner.upstream.provider).toBe('healthy');
    expect(execution.winner.first).toEqual({ done: false, value: { type: 'delta', content: 'Hello' } });
    expect(await execution.others).toEqual([
      expect.objectContaining({ upstream: 'broken/m', outcome: 'failed', attempts: 1, completionTokens: 0 }),
      expect.objectContaining({ upstream: 'healthy/m', outcome: 'won' }),
    ]);
  });

  it('a timeout before the first token moves on, and the timed-out call is aborted', async () => {
    const silent = fakeAdapter('silent', { hang: true });
    const healthy = fakeAdapter('healthy');
    const execution = await execute(deps(), plan([upstream(silent), upstream(healthy)], { firstTokenTimeoutMs: 20 }), request, never);
    expect(execution.winner.upstream.provider).toBe('healthy');
    expect(silent.signals[0]?.aborted).toBe(true);
    const legs = await execution.others;
    expect(legs[0]).toMatchObject({ outcome: 'failed', error: expect.stringContaining('no first token') as unknown });
  });

  it('when every upstream fails, the most telling error is reported with every leg', async () => {
    const a = fakeAdapter('a', { fail: http500 });
    const b = fakeAdapter('b', { fail: () => new UpstreamError('upstream_unavailable', 'HTTP 503', 3) });
    const failure = await failureOf(execute(deps(), plan([upstream(a), upstream(b)]), request, never));
    expect(failure.reason).toMatchObject({ failure: 'upstream_unavailable', retryAfterSeconds: 3 });
    expect(failure.legs.map((l) => l.outcome)).toEqual(['failed', 'failed']);
  });
});

describe('retries', () => {
  it('a 429 with Retry-After is retried on the same upstream after at least that delay', async () => {
    const limited = fakeAdapter('limited', { fail: (call) => (call === 1 ? new UpstreamError('upstream_unavailable', 'HTTP 429', 2) : undefined) });
    const d = deps();
    const execution = await execute(d, plan([upstream(limited)], { retries: { max: 2, baseMs: 10 } }), request, never);
    expect(limited.calls()).toBe(2);
    expect(d.sleeps).toHaveLength(1);
    expect(d.sleeps[0]).toBeGreaterThanOrEqual(2_000);
    expect(execution.winner.attempts).toBe(2);
  });

  it('a Retry-After longer than we hold requests is not waited out: fail over instead', async () => {
    const limited = fakeAdapter('limited', { fail: () => new UpstreamError('upstream_unavailable', 'HTTP 429', 60) });
    const other = fakeAdapter('other');
    const d = deps();
    const execution = await execute(d, plan([upstream(limited), upstream(other)], { retries: { max: 3, baseMs: 10 } }), request, never);
    expect(d.sleeps).toEqual([]);
    expect(execution.winner.upstream.provider).toBe('other');
  });

  it('stops at retries.max and when the retry budget is spent', async () => {
    const limited = fakeAdapter('limited', { fail: () => new UpstreamError('upstream_unavailable', 'HTTP 503') });
    await failureOf(execute(deps(), plan([upstream(limited)], { retries: { max: 2, baseMs: 10 } }), request, never));
    expect(limited.calls()).toBe(3);

    const again = fakeAdapter('again', { fail: () => new UpstreamError('upstream_unavailable', 'HTTP 503') });
    const poor = deps({ retryBudget: createRetryBudget({ initialTokens: 0, ratio: 0 }) });
    await failureOf(execute(poor, plan([upstream(again)], { retries: { max: 2, baseMs: 10 } }), request, never));
    expect(again.calls()).toBe(1);
  });

  it('a 500 is not retried in place', async () => {
    const broken = fakeAdapter('broken', { fail: http500 });
    await failureOf(execute(deps(), plan([upstream(broken)], { retries: { max: 3, baseMs: 10 } }), request, never));
    expect(broken.calls()).toBe(1);
  });
});

describe('circuit breaker and concurrency in the request path', () => {
  it('an open breaker skips its upstream without calling it; after the cooldown one probe goes through', async () => {
    let now = 0;
    const d = deps({ clock: () => now }, { breaker: { minimumCalls: 2, windowSize: 4, failureRateThreshold: 0.5, cooldownMs: 1_000 } });
    const broken = fakeAdapter('broken', { fail: (call) => (call <= 2 ? http500() : undefined) });
    const backup = fakeAdapter('backup');
    const p = plan([upstream(broken), upstream(backup)]);
    await execute(d, p, request, never);
    await execute(d, p, request, never);
    expect(d.health.get('broken/m').breaker.state(now)).toBe('open');

    const skipped = await execute(d, p, request, never);
    expect(broken.calls()).toBe(2);
    expect((await skipped.others)[0]).toMatchObject({ upstream: 'broken/m', outcome: 'failed', error: expect.stringContaining('CircuitOpenError') as unknown });

    now = 1_000;
    expect(d.health.get('broken/m').breaker.state(now)).toBe('half-open');
    const probe = await execute(d, p, request, never);
    expect(probe.winner.upstream.provider).toBe('broken');
    probe.winner.finish('success');
    expect(d.health.get('broken/m').breaker.state(now)).toBe('closed');
  });

  it('every upstream open → CircuitOpenError', async () => {
    const d = deps({}, { breaker: { minimumCalls: 1, cooldownMs: 60_000 } });
    const broken = fakeAdapter('broken', { fail: http500 });
    await failureOf(execute(d, plan([upstream(broken)]), request, never));
    const failure = await failureOf(execute(d, plan([upstream(broken)]), request, never));
    expect(failure.reason).toBeInstanceOf(CircuitOpenError);
  });

  it('a full queue is shed at once with OverloadedError, and the next upstream takes the request', async () => {
    const d = deps({}, { concurrency: { initialLimit: 1, maxLimit: 1, maxQueue: 0 } });
    const busy = fakeAdapter('busy');
    const spare = fakeAdapter('spare');
    const first = await execute(d, plan([upstream(busy)]), request, never); // holds busy's only slot until finished
    const shed = await failureOf(execute(d, plan([upstream(busy)]), request, never));
    expect(shed.reason).toBeInstanceOf(OverloadedError);
    const moved = await execute(d, plan([upstream(busy), upstream(spare)]), request, never);
    expect(moved.winner.upstream.provider).toBe('spare');
    first.winner.finish('success');
    const freed = await execute(d, plan([upstream(busy)]), request, never);
    expect(freed.winner.upstream.provider).toBe('busy');
  });
});

describe('speculative legs', () => {
  const hedge: SpeculativeConfig = { mode: 'hedge', afterPercentile: 95, minDelayMs: 10 };

  it('hedge: a slow primary is raced after the delay; the first token wins and the loser is aborted at once', async () => {
    const slow = fakeAdapter('slow', { firstEventMs: 5_000 });
    const fast = fakeAdapter('fast');
    const execution = await execute(deps(), plan([upstream(slow), upstream(fast)], { speculative: hedge }), request, never);
    expect(execution.winner.upstream.provider).toBe('fast');
    expect(slow.signals[0]?.aborted).toBe(true); // aborted before execute even returned
    const legs = await execution.others;
    expect(legs.find((l) => l.upstream === 'slow/m')).toMatchObject({ outcome: 'lost', promptTokens: 0, completionTokens: 0 });
  });

  it('hedge: a primary that answers before the delay never starts a second leg', async () => {
    const quick = fakeAdapter('quick');
    const spare = fakeAdapter('spare');
    const execution = await execute(deps(), plan([upstream(quick), upstream(spare)], { speculative: { ...hedge, minDelayMs: 1_000 } }), request, never);
    expect(execution.winner.upstream.provider).toBe('quick');
    await execution.others;
    await sleep(20);
    expect(spare.calls()).toBe(0);
  });

  it('parallel: k legs start together, the first token wins, the others are aborted and bill nothing they did not generate', async () => {
    const a = fakeAdapter('a', { firstEventMs: 3_000 });
    const b = fakeAdapter('b', { firstEventMs: 5 });
    const c = fakeAdapter('c', { firstEventMs: 3_000 });
    const d = fakeAdapter('d');
    const execution = await execute(deps(), plan([upstream(a), upstream(b), upstream(c), upstream(d)], { speculative: { mode: 'parallel', k: 3 } }), request, never);
    expect(execution.winner.upstream.provider).toBe('b');
    expect([a.signals[0]?.aborted, c.signals[0]?.aborted]).toEqual([true, true]);
    expect(d.calls()).toBe(0);
    const legs = await execution.others;
    expect(legs.filter((l) => l.outcome === 'lost').map((l) => [l.upstream, l.completionTokens])).toEqual(
      expect.arrayContaining([
        ['a/m', 0],
        ['c/m', 0],
      ]),
    );
  });

  it('parallel: when every leg fails, the remaining upstreams are tried in order', async () => {
    const a = fakeAdapter('a', { fail: http500 });
    const b = fakeAdapter('b', { fail: http500 });
    const c = fakeAdapter('c');
    const execution = await execute(deps(), plan([upstream(a), upstream(b), upstream(c)], { speculative: { mode: 'parallel', k: 2 } }), request, never);
    expect(execution.winner.upstream.provider).toBe('c');
  });
});

describe('client cancellation', () => {
  it('a client that leaves aborts every running leg', async () => {
    const slow = fakeAdapter('slow', { hang: true });
    const controller = new AbortController();
    const running = execute(deps(), plan([upstream(slow)]), request, controller.signal);
    await sleep(5);
    controller.abort(new Error('client left'));
    const failure = await failureOf(running);
    expect(slow.signals[0]?.aborted).toBe(true);
    expect(failure.legs[0]?.outcome).toBe('lost');
  });
});

describe('breaker fairness', () => {
  it('requests the upstream refused (4xx) do not trip its breaker; 5xx do', async () => {
    const d = deps({}, { breaker: { minimumCalls: 2, windowSize: 4 } });
    const picky = fakeAdapter('picky', { fail: () => new UpstreamError('upstream_error', 'HTTP 400', undefined, 400) });
    for (let i = 0; i < 4; i++) await failureOf(execute(d, plan([upstream(picky)]), request, never));
    expect(d.health.get('picky/m').breaker.state(Date.now())).toBe('closed');
    const sick = fakeAdapter('sick', { fail: () => new UpstreamError('upstream_error', 'HTTP 500', undefined, 500) });
    for (let i = 0; i < 2; i++) await failureOf(execute(d, plan([upstream(sick)]), request, never));
    expect(d.health.get('sick/m').breaker.state(Date.now())).toBe('open');
  });
});

describe('whole answers: which legs may ask their provider for one answer instead of a stream', () => {
  /** An adapter that records what each call was told; answers at once. */
  function recording() {
    const told: Array<boolean | undefined> = [];
    const adapter: ProviderAdapter = {
      name: 'rec',
      async start(_request, _signal, options) {
        told.push(options?.whole);
        async function* events(): AsyncGenerator<CompletionEvent> {
          yield { type: 'delta', content: 'hi' };
        }
        return { events: events() };
      },
    };
    return { adapter, told };
  }
  const firstOf = async (fake: ReturnType<typeof recording>, thePlan: ExecutionPlan, theRequest: InferenceRequest) => {
    const { winner } = await execute(deps(), thePlan, theRequest, new AbortController().signal);
    winner.finish('success');
  };

  it('a non-streaming request with no speculative leg and no first-token timeout: whole', async () => {
    const fake = recording();
    await firstOf(fake, plan([upstream(fake)]), request);
    expect(fake.told).toEqual([true]);
  });

  it('a streaming request, a speculative or hedged plan, or a first-token timeout: a stream', async () => {
    const fake = recording();
    await firstOf(fake, plan([upstream(fake)]), { ...request, stream: true });
    await firstOf(fake, plan([upstream(fake, 'a'), upstream(fake, 'b')], { speculative: { mode: 'parallel', k: 2 } }), request);
    await firstOf(fake, plan([upstream(fake)], { speculative: { mode: 'hedge', afterPercentile: 95, minDelayMs: 60_000 } }), request);
    await firstOf(fake, plan([upstream(fake)], { firstTokenTimeoutMs: 60_000 }), request);
    // The parallel plan starts two legs; every call was told to stream.
    expect(fake.told).toEqual([false, false, false, false, false]);
  });
});
