import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createProviderRegistry, type ProviderConfig } from '../adapters/provider-registry';
import type { InferenceRequest } from '../domain/inference-request';
import { createMetrics } from '../telemetry/metrics';
import type { WinningLeg } from './execute';
import { ExecutionFailedError } from './execute';
import type { FeedbackLog } from './feedback-log';
import { seededRandom } from './random';
import { parseRoutes } from './route';
import { createInMemoryRouteTable } from './route-table';
import { createRouter, type Delivery, type ServeContext } from './router';

/** The router's fail-over loop (Router.serve), with in-process mock providers and a scripted delivery. */
const TENANT = '7d4f2a8e-3c1b-4e5f-9a0b-1c2d3e4f5a6b';
const request: InferenceRequest = { model: 'r', messages: [{ role: 'user', content: 'hello there' }] };

function routerWith(providers: ProviderConfig[]) {
  const remembered: string[] = [];
  const feedbackLog: FeedbackLog = {
    remember: async (_requestId, served) => void remembered.push(served.upstream),
    take: async () => undefined,
  };
  const names = providers.map((p) => p.name);
  const router = createRouter({
    routes: createInMemoryRouteTable(parseRoutes([{ name: 'r', candidates: names.map((provider) => ({ model: 'mock-gpt', provider })), strategy: { kind: 'priority' }, retries: { max: 0, baseMs: 1 } }])),
    providers: createProviderRegistry(providers),
    priceBook: { current: async () => null },
    metrics: createMetrics(),
    logger: pino({ level: 'silent' }),
    random: seededRandom(7),
    feedbackLog,
  });
  return { router, remembered };
}

const mock = (name: string, directives?: string): ProviderConfig => ({ name, kind: 'mock', models: ['mock-gpt'], ...(directives ? { mock: { directives } } : {}) });

function context(signal = new AbortController().signal): ServeContext {
  return { requestId: 'req-1', tenantId: TENANT, startedAt: Date.now(), signal };
}

/** A delivery that reads the whole answer, then reports what `script` says for this call (1-based). */
function scriptedDelivery(script: (call: number) => Omit<Delivery, 'promptTokens' | 'completionTokens'>) {
  const served: string[] = [];
  const deliver = async (winner: WinningLeg): Promise<Delivery> => {
    served.push(winner.upstream.key);
    for (let step = winner.first; !step.done; step = await winner.iterator.next());
    return { ...script(served.length), promptTokens: 5, completionTokens: 3 };
  };
  return { deliver, served };
}

async function decide(router: ReturnType<typeof routerWith>['router']) {
  return router.decide(router.resolve('r', TENANT)!);
}

describe('Router.serve: the fail-over loop', () => {
  it('hands the first upstream to the delivery and reports it; the served request is remembered for feedback', async () => {
    const { router, remembered } = routerWith([mock('a'), mock('b')]);
    const { deliver, served } = scriptedDelivery(() => ({ outcome: 'ok' }));
    const result = await router.serve(await decide(router), request, context(), deliver);
    expect(served).toEqual(['a/mock-gpt']);
    expect(result).toMatchObject({ answered: true, upstream: { key: 'a/mock-gpt' }, delivery: { outcome: 'ok' } });
    expect(result.legs).toEqual([expect.objectContaining({ upstream: 'a/mock-gpt', outcome: 'won', promptTokens: 0, completionTokens: 0 })]);
    expect(remembered).toEqual(['a/mock-gpt']);
  });

  it('an answer that failed before anything reached the client is served by the next upstream; the failed leg is billed for what it generated', async () => {
    const { router, remembered } = routerWith([mock('a'), mock('b')]);
    const { deliver, served } = scriptedDelivery((call) => (call === 1 ? { outcome: 'failed', error: new Error('cut'), retryable: true } : { outcome: 'ok' }));
    const result = await router.serve(await decide(router), request, context(), deliver);
    expect(served).toEqual(['a/mock-gpt', 'b/mock-gpt']);
    expect(result).toMatchObject({ answered: true, upstream: { key: 'b/mock-gpt' }, delivery: { outcome: 'ok' } });
    expect(result.legs).toEqual([
      { upstream: 'a/mock-gpt', model: 'mock-gpt', outcome: 'failed', attempts: 1, error: 'cut', promptTokens: 5, completionTokens: 3 },
      expect.objectContaining({ upstream: 'b/mock-gpt', outcome: 'won' }),
    ]);
    // Each round's winner is remembered for feedback under the request id; the last round's stands.
    expect(remembered.at(-1)).toBe('b/mock-gpt');
  });

  it('a failure after the first byte reached the client is not failed over', async () => {
    const { router } = routerWith([mock('a'), mock('b')]);
    const { deliver, served } = scriptedDelivery(() => ({ outcome: 'failed', error: new Error('cut'), retryable: false }));
    const result = await router.serve(await decide(router), request, context(), deliver);
    expect(served).toEqual(['a/mock-gpt']);
    expect(result).toMatchObject({ answered: true, upstream: { key: 'a/mock-gpt' }, delivery: { outcome: 'failed', retryable: false } });
  });

  it('nothing is failed over once the client has gone away', async () => {
    const { router } = routerWith([mock('a'), mock('b')]);
    const client = new AbortController();
    const { deliver, served } = scriptedDelivery(() => {
      client.abort(new Error('client disconnected'));
      return { outcome: 'failed', error: new Error('cut'), retryable: true };
    });
    const result = await router.serve(await decide(router), request, context(client.signal), deliver);
    expect(served).toEqual(['a/mock-gpt']);
    expect(result).toMatchObject({ answered: true, delivery: { outcome: 'failed' } });
  });

  it('with no upstream left, the last failure is the result, with every earlier leg', async () => {
    const { router } = routerWith([mock('a'), mock('b')]);
    const { deliver, served } = scriptedDelivery(() => ({ outcome: 'failed', error: new Error('cut'), retryable: true }));
    const result = await router.serve(await decide(router), request, context(), deliver);
    expect(served).toEqual(['a/mock-gpt', 'b/mock-gpt']);
    expect(result).toMatchObject({ answered: true, upstream: { key: 'b/mock-gpt' }, delivery: { outcome: 'failed' } });
    expect(result.legs.map((leg) => `${leg.upstream}:${leg.outcome}`)).toEqual(['a/mock-gpt:failed', 'b/mock-gpt:won']);
  });

  it('when no upstream produces a first event, nothing is delivered and every leg comes back with the error', async () => {
    const { router, remembered } = routerWith([mock('a', 'status=500'), mock('b', 'status=500')]);
    const { deliver, served } = scriptedDelivery(() => ({ outcome: 'ok' }));
    const result = await router.serve(await decide(router), request, context(), deliver);
    expect(served).toEqual([]);
    expect(result.answered).toBe(false);
    expect(result.answered === false && result.error).toBeInstanceOf(ExecutionFailedError);
    expect(result.legs.map((leg) => `${leg.upstream}:${leg.outcome}`)).toEqual(['a/mock-gpt:failed', 'b/mock-gpt:failed']);
    expect(remembered).toEqual([]);
  });

  it('an upstream that fails before its first event is failed over inside the round; the delivery sees only the next one', async () => {
    const { router } = routerWith([mock('a', 'status=500'), mock('b')]);
    const { deliver, served } = scriptedDelivery(() => ({ outcome: 'ok' }));
    const result = await router.serve(await decide(router), request, context(), deliver);
    expect(served).toEqual(['b/mock-gpt']);
    expect(result.legs.map((leg) => `${leg.upstream}:${leg.outcome}`)).toEqual(['a/mock-gpt:failed', 'b/mock-gpt:won']);
  });

  it('a delivery the client cancelled is not a success to learn from, nor a request to rate', async () => {
    const { router, remembered } = routerWith([mock('a'), mock('b')]);
    const { deliver, served } = scriptedDelivery(() => ({ outcome: 'cancelled' }));
    const result = await router.serve(await decide(router), request, context(), deliver);
    expect(served).toEqual(['a/mock-gpt']);
    expect(result).toMatchObject({ answered: true, delivery: { outcome: 'cancelled' } });
    expect(remembered).toEqual([]);
  });
});
