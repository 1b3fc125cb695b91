import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY_CHANGED_CHANNEL } from '@switchyard/events/tenants';
import { SWITCHYARD_REQUEST_ID_HEADER } from './app';
import { createDatabaseApiKeyResolver } from '@switchyard/identity/api-keys';
import { FakeApiKeyStore, readSse, startHarness, type Harness } from './test-support/data-plane-harness';

const harnesses: Harness[] = [];
async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(options);
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
});

const messages = [{ role: 'user' as const, content: 'Say something deterministic.' }];

function post(h: Harness, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${h.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('the official openai client works unchanged', () => {
  it('non-streaming: an OpenAI-shaped completion, usage, and the request id in id and header', async () => {
    const h = await harness();
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const { data: completion, response } = await client.chat.completions
      .create({ model: 'mock-gpt', messages }, { headers: { 'x-request-id': 'req-nonstream-1' } })
      .withResponse();

    expect(response.headers.get('x-request-id')).toBe('req-nonstream-1');
    expect(completion.id).toBe('chatcmpl-req-nonstream-1');
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('mock-gpt');
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]?.message.role).toBe('assistant');
    expect(completion.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    const usage = completion.usage!;
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);

    // Deterministic: the same prompt gives the same answer.
    const again = await client.chat.completions.create({ model: 'mock-gpt', messages });
    expect(again.choices[0]?.message.content).toBe(completion.choices[0]?.message.content);
    expect(again.id).not.toBe(completion.id);

    const events = await h.finish();
    expect(events).toHaveLength(2);
    const event = events.find((e) => e.clientRequestId === 'req-nonstream-1')!;
    expect(event.requestId).toBe(response.headers.get('x-switchyard-request-id'));
    expect(event).toMatchObject({
      tenantId: h.record.tenantId,
      apiKeyId: h.record.id,
      model: 'mock-gpt',
      provider: 'mock',
      promptTokens: usage.prompt_tokens,
      completionTokens: usage.completion_tokens,
      priceBookVersion: 3,
      status: 'ok',
    });
    const expectedCost = (BigInt(usage.prompt_tokens) * 500n + BigInt(usage.completion_tokens) * 1500n + 999n) / 1000n;
    expect(event.costMicros).toBe(expectedCost.toString());
  });

  it('streaming: chunks add up to the non-streamed answer and usage arrives in the final chunk', async () => {
    const h = await harness();
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const whole = await client.chat.completions.create({ model: 'mock-large', messages });

    const stream = await client.chat.completions.create({ model: 'mock-large', messages, stream: true, stream_options: { include_usage: true } });
    let content = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      expect(chunk.object).toBe('chat.completion.chunk');
      content += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(content).toBe(whole.choices[0]?.message.content);
    expect(finish).toBe('stop');
    expect(usage).toEqual(whole.usage);

    const events = await h.finish();
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.status === 'ok')).toBe(true);
  });

  it('lists models in the OpenAI shape', async () => {
    const h = await harness();
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((m) => m.id).sort()).toEqual(['mock-gpt', 'mock-large', 'mock-mini']);
    expect(models[0]).toMatchObject({ object: 'model', owned_by: 'mock' });
    expect(await h.finish()).toEqual([]);
  });

  it('surfaces gateway errors as typed openai errors', async () => {
    const h = await harness();
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const error = await client.chat.completions.create({ model: 'no-such-model', messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).param).toBe('model');
  });
});

describe('wire format', () => {
  it('streams data-only SSE chunks ending in [DONE]; no usage chunk unless asked for', async () => {
    const h = await harness();
    const response = await post(h, { model: 'mock-mini', messages, stream: true }, { 'x-request-id': 'sse-1' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const data = await readSse(response);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Record<string, unknown>);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ id: 'chatcmpl-sse-1', object: 'chat.completion.chunk', model: 'mock-mini' });
      expect(chunk).not.toHaveProperty('usage');
    }
    expect(chunks[0]).toMatchObject({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    expect(chunks.at(-1)).toMatchObject({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
  });

  it('honours max_tokens with finish_reason length', async () => {
    const h = await harness();
    const response = await post(h, { model: 'mock-large', messages, max_tokens: 3 });
    const body = (await response.json()) as { choices: { finish_reason: string }[]; usage: { completion_tokens: number } };
    expect(body.choices[0]?.finish_reason).toBe('length');
    expect(body.usage.completion_tokens).toBe(3);
  });

  it('serves health, readiness and metrics', async () => {
    const h = await harness();
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
    await post(h, { model: 'mock-gpt', messages });
    await post(h, { model: 'mock-gpt', messages: 'x' });
    const metrics = await h.metricsText();
    expect(metrics).toContain('switchyard_http_requests_total{route="chat_completions",status="200"} 1');
    expect(metrics).toContain('switchyard_http_requests_total{route="chat_completions",status="400"} 1');
    expect(metrics).toContain('switchyard_http_request_duration_seconds_bucket');
    expect(metrics).toContain('switchyard_rate_limit_rejections_total');
    await h.finish();
    expect(h.dataPlane.server.listening).toBe(false);
  });

  it('answers unknown routes and wrong methods with registry errors', async () => {
    const h = await harness();
    const missing = await fetch(`${h.url}/v1/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const wrongMethod = await fetch(`${h.baseUrl}/chat/completions`, { headers: { authorization: `Bearer ${h.secret}` } });
    expect(wrongMethod.status).toBe(405);
  });
});

describe('request ids and usage events', () => {
  it('writes exactly one usage event per request, each under its own generated id; the client id is kept beside it', async () => {
    const h = await harness();
    for (let i = 0; i < 3; i++) expect((await post(h, { model: 'mock-gpt', messages }, { 'x-request-id': `req-${i}` })).status).toBe(200);
    const s = await post(h, { model: 'mock-gpt', messages, stream: true }, { 'x-request-id': 'req-stream' });
    await readSse(s);
    expect((await post(h, { model: 'mock-gpt', messages }, { 'x-request-id': 'req-0' })).status).toBe(200);

    const events = await h.finish();
    expect(events.map((e) => e.clientRequestId).sort()).toEqual(['req-0', 'req-0', 'req-1', 'req-2', 'req-stream']);
    expect(new Set(events.map((e) => e.requestId)).size).toBe(5);
    for (const event of events) expect(event.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const [first, repeat] = events.filter((e) => e.clientRequestId === 'req-0');
    expect(repeat?.costMicros).toBe(first?.costMicros);
  });

  it('a reused x-request-id never deduplicates: five requests with one id leave five events with five distinct ids, echoed per response', async () => {
    const h = await harness();
    const generated: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await post(h, { model: 'mock-gpt', messages }, { 'x-request-id': 'same-id' });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBe('same-id');
      generated.push(response.headers.get(SWITCHYARD_REQUEST_ID_HEADER) ?? '');
      await response.text();
    }
    expect(new Set(generated).size).toBe(5);
    const events = await h.finish();
    expect(events).toHaveLength(5);
    expect(events.map((e) => e.requestId).sort()).toEqual([...generated].sort());
    expect(events.every((e) => e.clientRequestId === 'same-id')).toBe(true);
  });

  it("another tenant sending the same x-request-id is recorded too (one tenant cannot suppress another's records)", async () => {
    const h = await harness();
    const other = h.keys.add();
    expect(other.record.tenantId).not.toBe(h.record.tenantId);
    const send = (secret: string) =>
      fetch(`${h.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', 'x-request-id': 'victim-id' },
        body: JSON.stringify({ model: 'mock-gpt', messages }),
      }).then(async (response) => (await response.text(), response.status));
    expect(await send(h.secret)).toBe(200);
    expect(await send(other.secret)).toBe(200);
    const events = await h.finish();
    expect(events.map((e) => e.tenantId).sort()).toEqual([h.record.tenantId, other.record.tenantId].sort());
    expect(new Set(events.map((e) => e.requestId)).size).toBe(2);
  });

  it('replaces an unsafe x-request-id with a generated one and echoes it', async () => {
    const h = await harness();
    const response = await post(h, { model: 'mock-gpt', messages }, { 'x-request-id': 'bad id\twith spaces' });
    const generated = response.headers.get('x-request-id')!;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get(SWITCHYARD_REQUEST_ID_HEADER)).toBe(generated);
    expect(((await response.json()) as { id: string }).id).toBe(`chatcmpl-${generated}`);
    const events = await h.finish();
    expect(events.map((e) => e.requestId)).toEqual([generated]);
    expect(events[0]).not.toHaveProperty('clientRequestId');
  });
});

describe('provider failures', () => {
  it('a failure after the first byte ends the stream with an error event and no [DONE]', async () => {
    const h = await harness();
    const response = await post(h, {
      model: 'mock-gpt',
      stream: true,
      messages: [{ role: 'user', content: 'break please [mock: chunks=5 fail-after=2]' }],
    });
    expect(response.status).toBe(200);
    const data = await readSse(response);
    expect(data).not.toContain('[DONE]');
    const last = JSON.parse(data.at(-1)!) as { error: { code: string; type: string } };
    expect(last.error).toMatchObject({ code: 'upstream_error', type: 'upstream_error' });
    // role chunk + 2 content chunks + error
    expect(data).toHaveLength(4);

    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: 'error' });
    expect(events[0]!.completionTokens).toBeGreaterThan(0);
  });

  it('the openai client sees a mid-stream failure as an error, never a clean end', async () => {
    const h = await harness();
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'mock-gpt',
      stream: true,
      messages: [{ role: 'user', content: '[mock: chunks=4 fail-after=1]' }],
    });
    const consume = async (): Promise<void> => {
      for await (const _chunk of stream) {
        // drain
      }
    };
    await expect(consume()).rejects.toThrow();
  });

  it('a failure before the first byte is a clean 503 with Retry-After, recorded as an error with no tokens', async () => {
    const h = await harness();
    const response = await post(h, { model: 'mock-gpt', stream: true, messages: [{ role: 'user', content: '[mock: status=503 retry-after=7]' }] });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_unavailable');
    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: 'error', promptTokens: 0, completionTokens: 0, costMicros: '0' });
  });

  it('a non-streaming request whose provider fails midway gets a 502', async () => {
    const h = await harness();
    const response = await post(h, { model: 'mock-gpt', messages: [{ role: 'user', content: '[mock: chunks=3 fail-after=1]' }] });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_error');
  });
});

describe('client disconnects', () => {
  it('a client that leaves mid-stream cancels the provider call and still gets exactly one (error) usage event', async () => {
    const h = await harness();
    const controller = new AbortController();
    const response = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-gpt', stream: true, messages: [{ role: 'user', content: 'slow [mock: chunks=50 chunk-ms=20]' }] }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.read().catch(() => undefined);

    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(events[0]?.status).toBe('error');
    expect(events[0]!.completionTokens).toBeLessThan(50);
  });
});

describe('API key cache eviction over the bus', () => {
  it('a revocation announced on API_KEY_CHANGED_CHANNEL takes effect immediately despite the cache', async () => {
    const store = new FakeApiKeyStore();
    const resolver = createDatabaseApiKeyResolver({ resolveApiKey: (hash) => store.resolve(hash) }, { ttlMs: 1_000 });
    const h = await harness({ apiKeys: resolver });
    const { secret, hash, record } = store.add();
    const call = (): Promise<Response> => post({ ...h, secret }, { model: 'mock-gpt', messages });

    expect((await call()).status).toBe(200);
    store.records.set(hash, { ...record, revokedAt: new Date(Date.now() - 1) });
    expect((await call()).status).toBe(200); // still cached
    await h.bus.publish(API_KEY_CHANGED_CHANNEL, JSON.stringify({ keyHash: hash }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const revoked = await call();
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { error: { code: string } }).error.code).toBe('api_key_revoked');
  });
});
