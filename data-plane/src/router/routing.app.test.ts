import OpenAI from 'openai';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderConfig } from '../adapters/provider-registry';
import { startMockProvider } from '../adapters/mock/server';
import { MOCK_PROVIDER, readSse, startHarness, type Harness, type HarnessOptions } from '../test-support/data-plane-harness';
import type { RouteConfig } from './route';
import { seededRandom } from './random';

/**
 * The router through the HTTP app, with in-process mock providers whose behaviour is scripted
 * per provider (so one route's candidates differ for the same prompt).
 */
const harnesses: Harness[] = [];
async function harness(options: HarnessOptions): Promise<Harness> {
  const h = await startHarness({ routing: { random: seededRandom(7) }, ...options });
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
});

const mock = (name: string, directives?: string, firstRequests?: number): ProviderConfig => ({
  name,
  kind: 'mock',
  models: ['mock-gpt', 'mock-large', 'mock-mini'],
  ...(directives ? { mock: { directives, firstRequests } } : {}),
});
const route = (name: string, candidates: RouteConfig['candidates'], extra: Partial<RouteConfig> = {}): RouteConfig => ({
  name,
  candidates,
  strategy: { kind: 'priority' },
  ...extra,
});
const messages = [{ role: 'user' as const, content: 'Route me somewhere.' }];

function post(h: Harness, body: unknown, headers: Record<string, string> = {}, secret = h.secret): Promise<Response> {
  return fetch(`${h.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}
function feedback(h: Harness, body: unknown, secret = h.secret): Promise<Response> {
  return fetch(`${h.baseUrl}/feedback`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
async function metricsText(h: Harness): Promise<string> {
  return h.metricsText();
}
async function servedModel(response: Response): Promise<string> {
  expect(response.status).toBe(200);
  return ((await response.json()) as { model: string }).model;
}

describe('routes as models', () => {
  it('GET /v1/models lists routes and models; the official client can call a route by name', async () => {
    const h = await harness({ routes: [route('smart', [{ model: 'mock-mini' }, { model: 'mock-gpt' }])] });
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['smart', 'mock-gpt', 'mock-large', 'mock-mini']);
    const completion = await client.chat.completions.create({ model: 'smart', messages });
    expect(completion.model).toBe('mock-mini');
    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ model: 'mock-mini', provider: 'mock', status: 'ok', promptTokens: completion.usage!.prompt_tokens });
    expect(BigInt(events[0]!.costMicros)).toBeGreaterThan(0n);
  });

  it('an unknown name is model_not_found, whether or not routes exist', async () => {
    const h = await harness({ routes: [route('smart', [{ model: 'mock-mini' }])] });
    const response = await post(h, { model: 'smarter', messages });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
  });

  it('refuses a route whose candidate no provider serves, at start-up', async () => {
    await expect(startHarness({ routes: [route('bad', [{ model: 'gpt-nope' }])] })).rejects.toThrow(/no provider/);
    await expect(startHarness({ routes: [route('bad', [{ model: 'mock-gpt', provider: 'elsewhere' }])] })).rejects.toThrow(/no provider/);
  });
});

describe('strategies through the app', () => {
  it('weighted: both candidates serve, the heavier one more often', async () => {
    const h = await harness({
      routes: [route('split', [{ model: 'mock-gpt', weight: 1 }, { model: 'mock-mini', weight: 4 }], { strategy: { kind: 'weighted' } })],
    });
    const served: string[] = [];
    for (let i = 0; i < 30; i++) served.push(await servedModel(await post(h, { model: 'split', messages })));
    const mini = served.filter((m) => m === 'mock-mini').length;
    expect(mini).toBeGreaterThan(15);
    expect(mini).toBeLessThan(30);
  });

  it('cheapest under a price ceiling: the price book decides', async () => {
    const h = await harness({
      routes: [
        route('budget', [{ model: 'mock-large' }, { model: 'mock-gpt' }, { model: 'mock-mini' }], { strategy: { kind: 'cheapest' } }),
        route('capped', [{ model: 'mock-large' }], { strategy: { kind: 'cheapest' }, constraints: { maxCostPer1kMicros: 1_000 } }),
      ],
    });
    expect(await servedModel(await post(h, { model: 'budget', messages }))).toBe('mock-mini');
    const refused = await post(h, { model: 'capped', messages });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/constraints/);
  });

  it('least-latency serves from the candidates', async () => {
    const h = await harness({ routes: [route('fast', [{ model: 'mock-gpt' }, { model: 'mock-mini' }], { strategy: { kind: 'least-latency' } })] });
    for (let i = 0; i < 5; i++) expect(['mock-gpt', 'mock-mini']).toContain(await servedModel(await post(h, { model: 'fast', messages })));
  });
});

describe('failures before the first byte fail over', () => {
  it('a 500 from the first candidate is answered by the next; one usage event, for the provider that served', async () => {
    const h = await harness({
      providers: [mock('broken', 'status=500'), MOCK_PROVIDER],
      routes: [route('resilient', [{ model: 'mock-gpt', provider: 'broken' }, { model: 'mock-gpt', provider: 'mock' }])],
    });
    expect(await servedModel(await post(h, { model: 'resilient', messages }))).toBe('mock-gpt');
    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ provider: 'mock', status: 'ok' });
  });

  it('a 429 with Retry-After is retried on the same upstream and succeeds', async () => {
    const h = await harness({
      providers: [mock('limited', 'status=429 retry-after=0', 1)],
      routes: [route('patient', [{ model: 'mock-gpt', provider: 'limited' }], { retries: { max: 2, baseMs: 1 } })],
    });
    expect(await servedModel(await post(h, { model: 'patient', messages }))).toBe('mock-gpt');
    expect(await metricsText(h)).toContain('switchyard_upstream_retries_total{upstream="limited/mock-gpt"} 1');
  });

  it('a candidate that never sends its first token times out and the next one answers', async () => {
    const h = await harness({
      providers: [mock('stuck', 'hang'), MOCK_PROVIDER],
      routes: [route('impatient', [{ model: 'mock-gpt', provider: 'stuck' }, { model: 'mock-mini', provider: 'mock' }], { firstTokenTimeoutMs: 50 })],
    });
    expect(await servedModel(await post(h, { model: 'impatient', stream: false, messages }))).toBe('mock-mini');
  });

  it('when every candidate fails the client gets a clean error status, and one error event with no tokens', async () => {
    const h = await harness({
      providers: [mock('down', 'status=503 retry-after=9'), mock('broken', 'status=500')],
      routes: [route('doomed', [{ model: 'mock-gpt', provider: 'broken' }, { model: 'mock-gpt', provider: 'down' }])],
    });
    const response = await post(h, { model: 'doomed', stream: true, messages });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('9');
    const events = await h.finish();
    expect(events).toEqual([expect.objectContaining({ status: 'error', promptTokens: 0, completionTokens: 0, model: 'doomed' })]);
  });
});

describe('failures after the first byte', () => {
  it('a stream cut after N tokens ends with an error event and never [DONE]; no fail-over once answering', async () => {
    const h = await harness({ routes: [route('cut', [{ model: 'mock-gpt' }, { model: 'mock-mini' }])] });
    const response = await post(h, { model: 'cut', stream: true, messages: [{ role: 'user', content: 'go [mock: chunks=6 fail-after=3]' }] });
    expect(response.status).toBe(200);
    const data = await readSse(response);
    expect(data).not.toContain('[DONE]');
    expect(data).toHaveLength(5); // role + 3 content chunks + error
    expect(JSON.parse(data.at(-1)!)).toMatchObject({ error: { code: 'upstream_error' } });
    const events = await h.finish();
    expect(events).toEqual([expect.objectContaining({ status: 'error', model: 'mock-gpt', provider: 'mock' })]);
    expect(events[0]!.completionTokens).toBeGreaterThan(0); // what was generated before the cut is billed
  });

  it('non-streaming: nothing has reached the client, so a mid-answer failure fails over; the partial leg is billed too', async () => {
    const h = await harness({
      providers: [mock('cutter', 'chunks=4 fail-after=2'), MOCK_PROVIDER],
      routes: [route('mend', [{ model: 'mock-gpt', provider: 'cutter' }, { model: 'mock-mini', provider: 'mock' }])],
    });
    const response = await post(h, { model: 'mend', messages });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { model: string; usage: { prompt_tokens: number; completion_tokens: number } };
    expect(body.model).toBe('mock-mini');
    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ model: 'mock-mini', provider: 'mock', status: 'ok' });
    expect(events[0]!.completionTokens).toBeGreaterThan(body.usage.completion_tokens);
    expect(events[0]!.promptTokens).toBe(2 * body.usage.prompt_tokens);
  });

  it('streaming: the same failure after the first byte is an error event, not a fail-over', async () => {
    const h = await harness({
      providers: [mock('cutter', 'chunks=4 fail-after=2'), MOCK_PROVIDER],
      routes: [route('mend', [{ model: 'mock-gpt', provider: 'cutter' }, { model: 'mock-mini', provider: 'mock' }])],
    });
    const data = await readSse(await post(h, { model: 'mend', stream: true, messages }));
    expect(data).not.toContain('[DONE]');
    expect(JSON.parse(data.at(-1)!)).toMatchObject({ error: { code: 'upstream_error' } });
  });

  it('the openai client sees the truncated stream as an error', async () => {
    const h = await harness({ routes: [route('cut', [{ model: 'mock-gpt' }])] });
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'cut', stream: true, messages: [{ role: 'user', content: '[mock: chunks=4 fail-after=1]' }] });
    await expect(
      (async () => {
        for await (const _chunk of stream) {
          // drain
        }
      })(),
    ).rejects.toThrow();
  });
});

describe('speculative calls', () => {
  it('hedged: a slow primary is raced, the fast leg answers, the slow leg is recorded as lost', async () => {
    const h = await harness({
      providers: [mock('slow', 'first-token-ms=10000'), MOCK_PROVIDER],
      routes: [
        route('hedged', [{ model: 'mock-gpt', provider: 'slow' }, { model: 'mock-gpt', provider: 'mock' }], {
          speculative: { mode: 'hedge', afterPercentile: 95, minDelayMs: 20 },
        }),
      ],
    });
    const response = await post(h, { model: 'hedged', stream: true, messages });
    const data = await readSse(response);
    expect(data.at(-1)).toBe('[DONE]');
    const text = await metricsText(h);
    expect(text).toContain('switchyard_router_legs_total{upstream="slow/mock-gpt",outcome="lost"} 1');
    expect(text).toContain('switchyard_router_legs_total{upstream="mock/mock-gpt",outcome="won"} 1');
    const events = await h.finish();
    expect(events).toEqual([expect.objectContaining({ provider: 'mock', status: 'ok' })]);
  });

  it('parallel: k legs at once, the winner answers, and only tokens actually generated are billed', async () => {
    const h = await harness({
      providers: [mock('sluggish', 'first-token-ms=10000'), MOCK_PROVIDER],
      routes: [
        route('race', [{ model: 'mock-large', provider: 'sluggish' }, { model: 'mock-mini', provider: 'mock' }], {
          speculative: { mode: 'parallel', k: 2 },
        }),
      ],
    });
    const response = await post(h, { model: 'race', messages });
    const body = (await response.json()) as { model: string; usage: { prompt_tokens: number; completion_tokens: number } };
    expect(body.model).toBe('mock-mini');
    const events = await h.finish();
    expect(events).toHaveLength(1);
    // The cancelled mock-large leg produced nothing, so nothing of it is billed.
    expect(events[0]).toMatchObject({ model: 'mock-mini', promptTokens: body.usage.prompt_tokens, completionTokens: body.usage.completion_tokens });
  });
});

describe('load shedding and breakers', () => {
  it('a full concurrency queue answers 503 overloaded with Retry-After instead of queueing', async () => {
    const h = await harness({ routing: { concurrency: { initialLimit: 1, maxLimit: 1, maxQueue: 0 } } });
    const controller = new AbortController();
    const holding = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-gpt', stream: true, messages: [{ role: 'user', content: 'hold [mock: chunks=200 chunk-ms=20]' }] }),
      signal: controller.signal,
    });
    const reader = holding.body!.getReader();
    await reader.read();

    const shed = await post(h, { model: 'mock-gpt', messages });
    expect(shed.status).toBe(503);
    expect(Number(shed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await shed.json()) as { error: { code: string } }).error.code).toBe('overloaded');
    expect(await metricsText(h)).toContain('switchyard_shed_requests_total{upstream="mock/mock-gpt",reason="overloaded"} 1');

    controller.abort();
    await reader.read().catch(() => undefined);
  });

  it('a failing upstream trips its breaker (visible in metrics), is skipped, then half-opens after the cooldown', async () => {
    const h = await harness({
      providers: [mock('flaky', 'status=500'), MOCK_PROVIDER],
      routing: { random: seededRandom(1), breaker: { minimumCalls: 2, windowSize: 4, cooldownMs: 100 } },
      routes: [route('guarded', [{ model: 'mock-gpt', provider: 'flaky' }, { model: 'mock-gpt', provider: 'mock' }])],
    });
    for (let i = 0; i < 2; i++) expect((await post(h, { model: 'guarded', messages })).status).toBe(200);
    let text = await metricsText(h);
    expect(text).toContain('switchyard_upstream_breaker_state{upstream="flaky/mock-gpt",state="open"} 1');
    expect(text).toContain('switchyard_upstream_breaker_transitions_total{upstream="flaky/mock-gpt",state="open"} 1');

    expect((await post(h, { model: 'guarded', messages })).status).toBe(200);
    expect(await metricsText(h)).toContain('switchyard_shed_requests_total{upstream="flaky/mock-gpt",reason="circuit_open"} 1');

    await sleep(150);
    text = await metricsText(h);
    expect(text).toContain('switchyard_upstream_breaker_state{upstream="flaky/mock-gpt",state="half-open"} 1');
  });
});

describe('POST /v1/feedback', () => {
  it('moves the bandit: answers that clients rate well get chosen more', async () => {
    const h = await harness({
      routes: [
        route('learner', [{ model: 'mock-gpt' }, { model: 'mock-mini' }], {
          strategy: { kind: 'bandit', reward: { success: 0, latency: 0, cost: 0, quality: 1 } },
        }),
      ],
    });
    const served: string[] = [];
    for (let i = 0; i < 60; i++) {
      const requestId = `learn-${i}`;
      const model = await servedModel(await post(h, { model: 'learner', messages }, { 'x-request-id': requestId }));
      served.push(model);
      const rated = await feedback(h, { request_id: requestId, score: model === 'mock-mini' ? 1 : 0 });
      expect(rated.status).toBe(202);
    }
    const late = served.slice(-20).filter((m) => m === 'mock-mini').length;
    expect(late).toBeGreaterThanOrEqual(17);
  });

  it("reaches the request by the client's x-request-id within its tenant, when another tenant used the same id after it", async () => {
    const h = await harness({ routes: [route('r', [{ model: 'mock-gpt' }], { strategy: { kind: 'bandit' } })] });
    const other = h.keys.add();
    const send = (secret: string) =>
      fetch(`${h.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', 'x-request-id': 'shared-client-id' },
        body: JSON.stringify({ model: 'r', messages }),
      });
    const mine = await send(h.secret);
    expect(mine.status).toBe(200);
    await mine.text();
    const theirs = await send(other.secret);
    expect(theirs.status).toBe(200);
    await theirs.text();
    expect((await feedback(h, { request_id: 'shared-client-id', score: 1 })).status).toBe(202);
    expect((await feedback(h, { request_id: 'shared-client-id', score: 1 }, other.secret)).status).toBe(202);
    // The data plane's own id of the request (x-switchyard-request-id) reaches it too.
    const third = await post(h, { model: 'r', messages });
    const generated = third.headers.get('x-switchyard-request-id') ?? '';
    await third.text();
    expect((await feedback(h, { request_id: generated, score: 1 })).status).toBe(202);
    // Rated once by either id, a request is not ratable again by the other.
    const fourth = await post(h, { model: 'r', messages }, { 'x-request-id': 'rate-me-once' });
    const fourthId = fourth.headers.get('x-switchyard-request-id') ?? '';
    await fourth.text();
    expect((await feedback(h, { request_id: 'rate-me-once', score: 1 })).status).toBe(202);
    expect((await feedback(h, { request_id: fourthId, score: 1 })).status).toBe(404);
  });

  it('accepts the completion id too; refuses twice, unknown, other tenants, and malformed scores', async () => {
    const h = await harness({ routes: [route('r', [{ model: 'mock-gpt' }], { strategy: { kind: 'bandit' } })] });
    const response = await post(h, { model: 'r', messages }, { 'x-request-id': 'rated-once' });
    const { id } = (await response.json()) as { id: string };
    const other = h.keys.add();

    const intruder = await feedback(h, { request_id: 'rated-once', score: 1 }, other.secret);
    expect(intruder.status).toBe(404);
    expect(((await intruder.json()) as { error: { code: string } }).error.code).toBe('feedback_request_not_found');
    expect((await feedback(h, { request_id: id, score: 0.5 })).status).toBe(202);
    expect((await feedback(h, { request_id: 'rated-once', score: 0.5 })).status).toBe(404);
    expect((await feedback(h, { request_id: 'never-seen', score: 0.5 })).status).toBe(404);

    for (const bad of [{ request_id: 'x', score: 2 }, { request_id: 'x', score: 'high' }, { request_id: '', score: 1 }, { score: 1 }, { request_id: 'x', score: 1, extra: true }]) {
      const refused = await feedback(h, bad);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
    const unauthenticated = await fetch(`${h.baseUrl}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unauthenticated.status).toBe(401);
    const huge = await feedback(h, { request_id: 'x'.repeat(10_000), score: 1 });
    expect(huge.status).toBe(413);
  });

  it('answers 503 feedback_unavailable with Retry-After when the feedback log is unreachable; chat still works', async () => {
    const h = await harness({
      routes: [route('r', [{ model: 'mock-gpt' }], { strategy: { kind: 'bandit' } })],
      feedbackLog: {
        remember: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
        take: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
      },
    });
    expect((await post(h, { model: 'r', messages }, { 'x-request-id': 'while-down' })).status).toBe(200);
    const refused = await feedback(h, { request_id: 'while-down', score: 1 });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('feedback_unavailable');
  });
});

describe('telemetry', () => {
  it('exposes per-step latency for the request path', async () => {
    const h = await harness({});
    expect((await post(h, { model: 'mock-gpt', messages })).status).toBe(200);
    const text = await metricsText(h);
    for (const step of ['ingress', 'routing_decision', 'adapter_call', 'aggregation', 'accounting']) {
      expect(text).toContain(`switchyard_step_duration_seconds_count{step="${step}"} 1`);
    }
  });
});

describe('over HTTP, against the mock provider server', () => {
  it('fails over from a remote 500 and hedges past a slow remote, cancelling its connection', async () => {
    const broken = await startMockProvider({ defaults: { status: 500 } });
    const slow = await startMockProvider({ defaults: { firstTokenLatencyMs: 10_000 } });
    const healthy = await startMockProvider();
    const remote = (name: string, baseUrl: string): ProviderConfig => ({ name, kind: 'openai-compatible', baseUrl, models: ['mock-gpt'] });
    try {
      const h = await harness({
        providers: [remote('broken', broken.baseUrl), remote('slow', slow.baseUrl), remote('healthy', healthy.baseUrl)],
        routes: [
          route('failover', [{ model: 'mock-gpt', provider: 'broken' }, { model: 'mock-gpt', provider: 'healthy' }]),
          route('hedge', [{ model: 'mock-gpt', provider: 'slow' }, { model: 'mock-gpt', provider: 'healthy' }], {
            speculative: { mode: 'hedge', afterPercentile: 99, minDelayMs: 20 },
          }),
        ],
      });
      expect(await servedModel(await post(h, { model: 'failover', messages }))).toBe('mock-gpt');
      const hedged = await post(h, { model: 'hedge', stream: true, messages });
      expect((await readSse(hedged)).at(-1)).toBe('[DONE]');
      const text = await metricsText(h);
      expect(text).toContain('switchyard_router_legs_total{upstream="broken/mock-gpt",outcome="failed"} 1');
      expect(text).toContain('switchyard_router_legs_total{upstream="slow/mock-gpt",outcome="lost"} 1');
      const events = await h.finish();
      expect(events.map((e) => [e.provider, e.status])).toEqual([
        ['healthy', 'ok'],
        ['healthy', 'ok'],
      ]);
    } finally {
      // The slow server closes promptly only if the hedge loser's connection was cancelled.
      await Promise.all([broken.close(), slow.close(), healthy.close()]);
    }
  });
});
