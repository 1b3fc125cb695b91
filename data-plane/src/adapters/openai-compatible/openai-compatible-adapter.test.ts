import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readSse, startHarness, type Harness } from '../../test-support/data-plane-harness';
import { startMockProvider, type MockProvider } from '../mock/server';

/** The gateway in front of the mock provider over real HTTP: the OpenAI-compatible adapter end to end. */
let upstream: MockProvider;
let h: Harness;

beforeAll(async () => {
  upstream = await startMockProvider();
});
afterAll(async () => {
  await upstream.close();
});
afterEach(async () => {
  await h.finish();
});

async function gateway(idleTimeoutMs = 5_000, answerTimeoutMs = 5_000): Promise<Harness> {
  h = await startHarness({
    providers: [
      { name: 'upstream', kind: 'openai-compatible', baseUrl: upstream.baseUrl, apiKey: 'sk-upstream', models: ['mock-gpt', 'mock-mini'], idleTimeoutMs, answerTimeoutMs },
    ],
  });
  return h;
}

function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${h.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const messages = [{ role: 'user' as const, content: 'Tell me about gateways.' }];

describe('OpenAI-compatible adapter against the mock provider over HTTP', () => {
  it('relays non-streaming answers with the upstream usage, identical to calling the upstream directly', async () => {
    await gateway();
    const viaGateway = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const direct = new OpenAI({ apiKey: 'sk-upstream', baseURL: upstream.baseUrl, maxRetries: 0 });
    const [relayed, original] = await Promise.all([
      viaGateway.chat.completions.create({ model: 'mock-gpt', messages }),
      direct.chat.completions.create({ model: 'mock-gpt', messages }),
    ]);
    expect(relayed.choices[0]?.message.content).toBe(original.choices[0]?.message.content);
    expect(relayed.usage).toEqual(original.usage);

    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      provider: 'upstream',
      promptTokens: original.usage?.prompt_tokens,
      completionTokens: original.usage?.completion_tokens,
      status: 'ok',
    });
  });

  it('relays streams chunk by chunk', async () => {
    await gateway();
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'mock-mini',
      messages: [{ role: 'user', content: 'stream it [mock: chunks=6]' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) deltas.push(content);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas).toHaveLength(6);
    expect(usage?.completion_tokens).toBeGreaterThanOrEqual(6);
  });

  it('a stream cut mid-way upstream becomes an SSE error event, never [DONE]', async () => {
    await gateway();
    const response = await post({ model: 'mock-gpt', stream: true, messages: [{ role: 'user', content: 'cut [mock: chunks=8 fail-after=3]' }] });
    expect(response.status).toBe(200);
    const data = await readSse(response);
    expect(data).not.toContain('[DONE]');
    const contentChunks = data.slice(0, -1).map((d) => JSON.parse(d) as { choices: { delta: { content?: string } }[] });
    expect(contentChunks.filter((c) => c.choices[0]?.delta.content)).toHaveLength(3);
    expect(JSON.parse(data.at(-1)!)).toMatchObject({ error: { code: 'upstream_error' } });

    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(events[0]?.status).toBe('error');
  });

  it('a cut before the first chunk is still a clean 502 (nothing was sent yet)', async () => {
    await gateway();
    const response = await post({ model: 'mock-gpt', messages: [{ role: 'user', content: '[mock: fail-after=0]' }] });
    expect(response.status).toBe(502);
  });

  it('malformed JSON from upstream mid-stream is an error event', async () => {
    await gateway();
    const response = await post({ model: 'mock-gpt', stream: true, messages: [{ role: 'user', content: '[mock: chunks=4 malformed-json]' }] });
    const data = await readSse(response);
    expect(data).not.toContain('[DONE]');
    expect(JSON.parse(data.at(-1)!)).toMatchObject({ error: { code: 'upstream_error' } });
  });

  it('upstream 429/503 become 503 upstream_unavailable with the upstream Retry-After', async () => {
    await gateway();
    const response = await post({ model: 'mock-gpt', messages: [{ role: 'user', content: '[mock: status=429 retry-after=12]' }] });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('12');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_unavailable');
  });

  it('upstream 500 becomes 502 upstream_error', async () => {
    await gateway();
    const response = await post({ model: 'mock-gpt', messages: [{ role: 'user', content: '[mock: status=500]' }] });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_error');
  });

  it('a hanging upstream times out with 504 upstream_timeout (a stream by its idle timeout, a whole answer by its answer timeout)', async () => {
    await gateway(200, 200);
    const response = await post({ model: 'mock-gpt', messages: [{ role: 'user', content: '[mock: hang]' }] });
    expect(response.status).toBe(504);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_timeout');
    const streamed = await post({ model: 'mock-gpt', stream: true, messages: [{ role: 'user', content: '[mock: hang]' }] });
    expect(streamed.status).toBe(504);
  });

  it('an unreachable upstream is a 503 upstream_unavailable with Retry-After, not a crash', async () => {
    h = await startHarness({
      providers: [{ name: 'gone', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:1/v1', models: ['mock-gpt'] }],
    });
    const response = await post({ model: 'mock-gpt', messages });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).not.toBeNull();
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_unavailable');
  });
});
