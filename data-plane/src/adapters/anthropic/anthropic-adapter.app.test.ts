import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStaticPriceBookSource } from '../../accounting/price-book';
import { readSse, startHarness, TEST_PRICE_BOOK, type Harness } from '../../test-support/data-plane-harness';

/**
 * The whole data plane in front of a fake Anthropic Messages server on loopback: the client
 * speaks OpenAI (official SDK), the upstream sees Anthropic. The scenario is picked by a word in
 * the last user message.
 */
interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

const received: ReceivedRequest[] = [];
let upstreamClosedEarly: Promise<void> | undefined;
let upstream: Server;
let upstreamUrl: string;
let h: Harness;

const sse = (event: Record<string, unknown>): string => `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`;
const START = sse({ type: 'message_start', message: { id: 'msg_1', role: 'assistant', usage: { input_tokens: 13, output_tokens: 1 } } });
const delta = (text: string): string => sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages: { content: string }[] };
      received.push({ path: req.url ?? '', headers: req.headers, body });
      const prompt = body.messages.at(-1)?.content ?? '';
      const status = /status=(\d+)/.exec(prompt)?.[1];
      if (status) {
        res.writeHead(Number(status), { 'content-type': 'application/json', 'retry-after': '12' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(START);
      res.write(sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
      res.write(delta('Hello'));
      if (prompt.includes('hang')) {
        upstreamClosedEarly = new Promise((resolve) => res.on('close', () => resolve()));
        return;
      }
      if (prompt.includes('cut')) return void res.end();
      if (prompt.includes('malformed')) return void res.end('data: {not json\n\n');
      if (prompt.includes('error-event')) return void res.end(sse({ type: 'error', error: { type: 'api_error', message: 'internal' } }));
      res.write(delta(' world'));
      res.write(sse({ type: 'content_block_stop', index: 0 }));
      res.write(sse({ type: 'message_delta', delta: { stop_reason: prompt.includes('long') ? 'max_tokens' : 'end_turn' }, usage: { output_tokens: 4 } }));
      res.end(sse({ type: 'message_stop' }));
    });
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});
afterEach(async () => {
  await h.finish();
});

async function gateway(idleTimeoutMs = 5_000): Promise<Harness> {
  h = await startHarness({
    providers: [{ name: 'claude', kind: 'anthropic', baseUrl: upstreamUrl, apiKey: 'sk-ant-test', models: ['claude-test'], idleTimeoutMs }],
    priceBook: createStaticPriceBookSource({
      version: TEST_PRICE_BOOK.version,
      prices: [...TEST_PRICE_BOOK.prices, { model: 'claude-test', inputPer1kMicros: 3000n, outputPer1kMicros: 15000n }],
    }),
  });
  return h;
}

function post(body: unknown): Promise<Response> {
  return fetch(`${h.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('Anthropic adapter through the data plane', () => {
  it('answers a non-streaming OpenAI request from Anthropic, with Anthropic headers and usage', async () => {
    await gateway();
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'claude-test',
      messages: [
        { role: 'system', content: 'Be nice.' },
        { role: 'user', content: 'hi' },
      ],
      stop: ['END'],
    });
    expect(completion.choices[0]?.message.content).toBe('Hello world');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 13, completion_tokens: 4 });

    const sent = received.at(-1)!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe('sk-ant-test');
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toMatchObject({ model: 'claude-test', system: 'Be nice.', max_tokens: 1024, stop_sequences: ['END'], stream: true });
    expect(sent.body.messages).toEqual([{ role: 'user', content: 'hi' }]);

    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ provider: 'claude', promptTokens: 13, completionTokens: 4, status: 'ok' });
  });

  it('streams deltas, maps max_tokens to length and carries usage', async () => {
    await gateway();
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'claude-test',
      messages: [{ role: 'user', content: 'long answer please' }],
      max_tokens: 4,
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    const finishReasons: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) deltas.push(choice.delta.content);
      if (choice?.finish_reason) finishReasons.push(choice.finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas).toEqual(['Hello', ' world']);
    expect(finishReasons).toEqual(['length']);
    expect(usage).toMatchObject({ prompt_tokens: 13, completion_tokens: 4 });
    expect(received.at(-1)?.body.max_tokens).toBe(4);
    const events = await h.finish();
    expect(events[0]).toMatchObject({ promptTokens: 13, completionTokens: 4, status: 'ok' });
  });

  it.each([
    ['429', 503, 'upstream_unavailable'],
    ['529', 503, 'upstream_unavailable'],
    ['500', 502, 'upstream_error'],
  ])('upstream HTTP %s becomes %i %s with the upstream Retry-After', async (status, expected, code) => {
    await gateway();
    const response = await post({ model: 'claude-test', messages: [{ role: 'user', content: `status=${status}` }] });
    expect(response.status).toBe(expected);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    if (expected === 503) expect(response.headers.get('retry-after')).toBe('12');
  });

  it.each(['cut', 'malformed', 'error-event'])('a %s stream becomes an SSE error event, never [DONE]', async (scenario) => {
    await gateway();
    const response = await post({ model: 'claude-test', stream: true, messages: [{ role: 'user', content: scenario }] });
    expect(response.status).toBe(200);
    const data = await readSse(response);
    expect(data).not.toContain('[DONE]');
    expect(data.some((d) => d.includes('Hello'))).toBe(true);
    expect(JSON.parse(data.at(-1)!)).toMatchObject({ error: { code: 'upstream_error' } });
    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(events[0]?.status).toBe('error');
  });

  it('a client that disconnects mid-stream cancels the upstream request', async () => {
    // An idle timeout far beyond the test timeout, so only the client's abort can close upstream.
    await gateway(600_000);
    const client = new AbortController();
    const response = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-test', stream: true, messages: [{ role: 'user', content: 'hang' }] }),
      signal: client.signal,
    });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('Hello');
    client.abort();
    // Resolves only when the gateway closed its upstream connection; the test times out otherwise.
    await upstreamClosedEarly;
  });
});
