import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderConfig } from '@switchyard/data-plane/config';
import { closedPort, FAULT_MODELS, startFaultUpstream, type FaultUpstream } from '../../testkit/faults/fault-upstream';
import { startCatalogueWorld, type CatalogueWorld } from '../../testkit/faults/catalogue-stack';

/**
 * Fault catalogue, upstream rows (FAILURE-MODES.md mirrors this file row by row). Each row: the
 * fault the upstream injects, what the official `openai` client sees, and the usage event and
 * audit entry the request leaves. A truncated answer must never look like a success: no
 * finish_reason "stop", no [DONE].
 */
const messages = [{ role: 'user' as const, content: 'Tell me something.' }];
const IDLE_TIMEOUT_MS = 1_000;
/** A non-streaming request asks for a whole answer, bounded as a whole (the upstream is silent until done). */
const ANSWER_TIMEOUT_MS = 1_500;

let world: CatalogueWorld;
let upstream: FaultUpstream;
let client: OpenAI;
let url: string;

beforeAll(async () => {
  world = await startCatalogueWorld();
  upstream = await startFaultUpstream();
  const providers: ProviderConfig[] = [
    { name: 'faulty', kind: 'openai-compatible', baseUrl: upstream.baseUrl, apiKey: 'test', models: [...FAULT_MODELS], idleTimeoutMs: IDLE_TIMEOUT_MS, answerTimeoutMs: ANSWER_TIMEOUT_MS },
    { name: 'gone', kind: 'openai-compatible', baseUrl: `http://127.0.0.1:${await closedPort()}/v1`, apiKey: 'test', models: ['refused'] },
  ];
  const started = await world.startDataPlane({
    providers,
    routes: [
      { name: 'failover', strategy: { kind: 'priority' }, candidates: [{ model: 'rate-limited' }, { model: 'server-error' }, { model: 'healthy' }] },
      { name: 'all-down', strategy: { kind: 'priority' }, candidates: [{ model: 'rate-limited' }, { model: 'server-error' }, { model: 'refused' }] },
    ],
  });
  client = started.client;
  url = started.url;
});

afterAll(async () => {
  await world?.close();
  await upstream?.close();
});

const rid = (row: string) => `fault-${row}-${randomUUID().slice(0, 8)}`;
const withId = (requestId: string) => ({ headers: { 'x-request-id': requestId } });

async function failure(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

/** Reads a stream with the openai client: the content that arrived, the finish reasons, and how it ended. */
async function readStream(model: string, requestId: string) {
  const stream = await client.chat.completions.create({ model, messages, stream: true }, withId(requestId));
  let content = '';
  const finishReasons: string[] = [];
  let thrown: unknown;
  try {
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        content += choice.delta.content ?? '';
        if (choice.finish_reason) finishReasons.push(choice.finish_reason);
      }
    }
  } catch (error) {
    thrown = error;
  }
  return { content, finishReasons, thrown };
}

/** The raw SSE body, to check what the client library would hide: no [DONE] after a failure. */
async function rawStream(model: string, requestId: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${world.apiKey}`, 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({ model, messages, stream: true }),
  });
  return { status: response.status, body: await response.text() };
}

/** The request's one usage event and one audit entry, which must agree. */
async function records(requestId: string) {
  const usage = await world.usageEvent(requestId);
  const [audit, ...moreAudit] = await world.auditEntries(requestId);
  expect(moreAudit).toEqual([]);
  expect(world.usageEventsSeen(requestId)).toHaveLength(1);
  expect(audit).toMatchObject({
    action: 'inference.request',
    tenantId: world.tenantId,
    payload: { requestId: usage.requestId, clientRequestId: requestId, status: usage.status, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, costMicros: usage.costMicros },
  });
  return { usage, audit: audit! };
}

describe('fault catalogue: upstream', () => {
  it('429 with Retry-After: the client gets 503 upstream_unavailable with the provider\'s Retry-After; no tokens billed', async () => {
    const requestId = rid('429');
    const error = await failure(client.chat.completions.create({ model: 'rate-limited', messages }, withId(requestId)));
    expect(error.status).toBe(503);
    expect(error.code).toBe('upstream_unavailable');
    expect(error.headers?.get('retry-after')).toBe('7');
    const { usage } = await records(requestId);
    expect(usage).toMatchObject({ status: 'error', promptTokens: 0, completionTokens: 0, costMicros: '0' });
    expect(usage.route?.legs).toEqual([expect.objectContaining({ upstream: 'faulty/rate-limited', outcome: 'failed' })]);
  });

  it('429 then 500 on a route: fails over before the first byte, the client gets a clean 200; each leg is recorded', async () => {
    const requestId = rid('failover');
    const completion = await client.chat.completions.create({ model: 'failover', messages }, withId(requestId));
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.choices[0]?.message.content).toBe('w0 w1 w2 w3 w4 ');
    const { usage } = await records(requestId);
    expect(usage).toMatchObject({ status: 'ok', model: 'healthy', completionTokens: 5 });
    expect(usage.route?.candidate).toBe('faulty/healthy');
    expect(usage.route?.legs.map((leg) => [leg.upstream, leg.outcome])).toEqual([
      ['faulty/rate-limited', 'failed'],
      ['faulty/server-error', 'failed'],
      ['faulty/healthy', 'won'],
    ]);
  });

  it('500: the client gets 502 upstream_error; no tokens billed', async () => {
    const requestId = rid('500');
    const error = await failure(client.chat.completions.create({ model: 'server-error', messages }, withId(requestId)));
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_error');
    const { usage } = await records(requestId);
    expect(usage).toMatchObject({ status: 'error', promptTokens: 0, completionTokens: 0 });
  });

  it('timeout before the first byte: 504 upstream_timeout after the answer timeout (not streaming) or the idle timeout (streaming)', async () => {
    for (const stream of [false, true]) {
      const requestId = rid(`hang-${stream}`);
      const error = await failure(client.chat.completions.create({ model: 'hang', messages, stream }, withId(requestId)));
      expect(error.status).toBe(504);
      expect(error.code).toBe('upstream_timeout');
      const { usage } = await records(requestId);
      expect(usage).toMatchObject({ status: 'error', completionTokens: 0 });
    }
  });

  it('connection refused: 503 upstream_unavailable with Retry-After (the provider is down, not the request wrong)', async () => {
    const requestId = rid('refused');
    const error = await failure(client.chat.completions.create({ model: 'refused', messages }, withId(requestId)));
    expect(error.status).toBe(503);
    expect(error.code).toBe('upstream_unavailable');
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const { usage } = await records(requestId);
    expect(usage).toMatchObject({ status: 'error', provider: 'gone', completionTokens: 0 });
  });

  it('stream cut after 3 tokens: the 3 tokens, then an error event; never finish_reason stop, never [DONE]; the 3 tokens are billed', async () => {
    const requestId = rid('cut');
    const { content, finishReasons, thrown } = await readStream('cut-after-3', requestId);
    expect(content).toBe('w0 w1 w2 ');
    expect(finishReasons).toEqual([]);
    expect(thrown).toBeInstanceOf(OpenAI.APIError);
    expect((thrown as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_error');
    const { usage } = await records(requestId);
    expect(usage.status).toBe('error');
    expect(usage.completionTokens).toBeGreaterThan(0);

    const raw = await rawStream('cut-after-3', rid('cut-raw'));
    expect(raw.status).toBe(200);
    expect(raw.body).not.toContain('[DONE]');
    expect(raw.body).not.toContain('"finish_reason":"stop"');
    expect(raw.body.trimEnd().split('\n\n').at(-1)).toMatch(/^data: \{"error":\{.*"code":"upstream_error"/);
  });

  it('stream cut, not streaming: nothing was sent yet, so the client gets 502 and no partial answer', async () => {
    const requestId = rid('cut-json');
    const error = await failure(client.chat.completions.create({ model: 'cut-after-3', messages }, withId(requestId)));
    expect(error.status).toBe(502);
    const { usage } = await records(requestId);
    expect(usage.status).toBe('error');
  });

  it('slow drip (25 tokens, 60 ms apart, 1.5 s in all, idle timeout 1 s): the whole answer arrives; the idle timer is per gap, not per answer', async () => {
    const requestId = rid('drip');
    const { content, finishReasons, thrown } = await readStream('slow-drip', requestId);
    expect(thrown).toBeUndefined();
    expect(content.split(' ').filter(Boolean)).toHaveLength(25);
    expect(finishReasons).toEqual(['stop']);
    const { usage } = await records(requestId);
    expect(usage).toMatchObject({ status: 'ok', completionTokens: 25 });
  });

  it('a drip that stops (2 tokens, then silence): error event upstream_timeout after the idle timeout, no [DONE]', async () => {
    const requestId = rid('stall');
    const { content, finishReasons, thrown } = await readStream('stall-after-2', requestId);
    expect(content).toBe('w0 w1 ');
    expect(finishReasons).toEqual([]);
    expect((thrown as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_timeout');
    const { usage } = await records(requestId);
    expect(usage.status).toBe('error');
  });

  it('malformed upstream JSON: 502 upstream_error before the first token; an error event after it', async () => {
    for (const model of ['malformed', 'json-not-sse']) {
      const requestId = rid(model);
      const error = await failure(client.chat.completions.create({ model, messages, stream: true }, withId(requestId)));
      expect(error.status).toBe(502);
      expect(error.code).toBe('upstream_error');
      expect((await records(requestId)).usage).toMatchObject({ status: 'error', completionTokens: 0 });
    }
    const requestId = rid('malformed-after-2');
    const { content, finishReasons, thrown } = await readStream('malformed-after-2', requestId);
    expect(content).toBe('w0 w1 ');
    expect(finishReasons).toEqual([]);
    expect((thrown as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_error');
    expect((await records(requestId)).usage.status).toBe('error');
  });

  it('every upstream down: the client gets one clean 5xx with Retry-After; every leg is recorded as failed', async () => {
    const requestId = rid('all-down');
    const error = await failure(client.chat.completions.create({ model: 'all-down', messages }, withId(requestId)));
    // The last candidate tried (connection refused) decides: 503, so clients back off.
    expect(error.status).toBe(503);
    expect(error.code).toBe('upstream_unavailable');
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const { usage } = await records(requestId);
    expect(usage).toMatchObject({ status: 'error', completionTokens: 0, costMicros: '0' });
    expect(usage.route?.candidate).toBeNull();
    expect(usage.route?.legs.map((leg) => leg.outcome)).toEqual(['failed', 'failed', 'failed']);
  });
});

describe('fault catalogue: circuit breaker', () => {
  it('opens after failures (later calls refused without touching the upstream), half-opens after the cooldown, a failed probe reopens it, a good probe closes it', async () => {
    const providers: ProviderConfig[] = [{ name: 'faulty', kind: 'openai-compatible', baseUrl: upstream.baseUrl, apiKey: 'test', models: ['flaky'], idleTimeoutMs: IDLE_TIMEOUT_MS }];
    const breaker = { windowSize: 4, minimumCalls: 4, failureRateThreshold: 0.5, cooldownMs: 1_500 };
    const { client: breakerClient, metricsText } = await world.startDataPlane({ providers, routing: { breaker } });
    const state = async (): Promise<string | undefined> => {
      const text = await metricsText();
      return /switchyard_upstream_breaker_state\{upstream="faulty\/flaky",state="([a-z-]+)"\} 1/.exec(text)?.[1];
    };
    const untilState = async (wanted: string): Promise<void> => {
      // The breaker half-opens by the clock; poll its state instead of sleeping a guessed time.
      for (let i = 0; i < 400 && (await state()) !== wanted; i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(await state()).toBe(wanted);
    };
    const ask = (requestId: string) => breakerClient.chat.completions.create({ model: 'flaky', messages }, withId(requestId));

    upstream.failing = true;
    for (let i = 0; i < 4; i += 1) expect((await failure(ask(rid(`breaker-fail-${i}`)))).status).toBe(502);
    expect(await state()).toBe('open');
    const callsWhenOpened = upstream.calls.get('flaky');

    const refusedId = rid('breaker-open');
    const refused = await failure(ask(refusedId));
    expect(upstream.calls.get('flaky')).toBe(callsWhenOpened);
    expect(refused.status).toBe(503);
    expect(refused.code).toBe('upstream_unavailable');
    expect(refused.headers?.get('retry-after')).toBe('1');
    expect(upstream.calls.get('flaky')).toBe(callsWhenOpened);
    const { usage: refusedUsage } = await records(refusedId);
    expect(refusedUsage).toMatchObject({ status: 'error', promptTokens: 0, completionTokens: 0 });

    await untilState('half-open');
    expect((await failure(ask(rid('breaker-probe-fails')))).status).toBe(502);
    expect(upstream.calls.get('flaky')).toBe((callsWhenOpened ?? 0) + 1);
    expect(await state()).toBe('open');

    upstream.failing = false;
    await untilState('half-open');
    const probeId = rid('breaker-probe-ok');
    const completion = await ask(probeId);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(await state()).toBe('closed');
    expect((await records(probeId)).usage).toMatchObject({ status: 'ok', completionTokens: 5 });

    const transitions = await metricsText();
    expect(transitions).toMatch(/switchyard_upstream_breaker_transitions_total\{upstream="faulty\/flaky",state="open"\} 2/);
    expect(transitions).toMatch(/switchyard_upstream_breaker_transitions_total\{upstream="faulty\/flaky",state="half-open"\} 2/);
    expect(transitions).toMatch(/switchyard_upstream_breaker_transitions_total\{upstream="faulty\/flaky",state="closed"\} 1/);
  });
});
