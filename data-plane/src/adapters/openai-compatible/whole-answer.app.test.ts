import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RouteConfig } from '../../router/route';
import { startHarness, type Harness } from '../../test-support/data-plane-harness';

/**
 * A non-streaming request with no speculative leg is asked of an OpenAI-compatible upstream as one
 * JSON answer (stream: false), read whole. Everything around it must behave as with a streamed
 * answer: fail-over before anything reached the client, metering from the upstream's usage,
 * redaction before the upstream sees the prompt, one usage event per request.
 *
 * The upstream here answers by model: `json-good` and `json-tools` well; `json-cut` drops the
 * connection mid-body; `json-malformed` sends broken JSON; `json-html` the wrong content type;
 * `json-hang` never answers. A streaming request gets an event stream.
 */
interface Seen {
  headers: IncomingHttpHeaders;
  body: { model: string; stream?: boolean; stream_options?: unknown; messages: Array<{ content: string }> };
}

let server: Server;
let baseUrl: string;
const seen: Seen[] = [];

function answer(model: string, message: object, finishReason: string) {
  return { id: 'up-1', object: 'chat.completion', created: 1, model, choices: [{ index: 0, message, finish_reason: finishReason }], usage: { prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 } };
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      const body = JSON.parse(text) as Seen['body'];
      seen.push({ headers: request.headers, body });
      if (body.stream) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'streamed' }, finish_reason: null }] })}\n\n`);
        response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 11, completion_tokens: 1 } })}\n\n`);
        response.end('data: [DONE]\n\n');
        return;
      }
      switch (body.model) {
        case 'json-good':
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify(answer(body.model, { role: 'assistant', content: 'hello whole' }, 'stop')));
          return;
        case 'json-tools':
          response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
          response.end(
            JSON.stringify(
              answer(body.model, { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }, { id: 'call_2', type: 'function', function: { name: 'fetch', arguments: '{}' } }] }, 'tool_calls'),
            ),
          );
          return;
        case 'json-cut':
          response.writeHead(200, { 'content-type': 'application/json' });
          response.write('{"id": "up-1", "choices": [{"message": {"content": "hel');
          setImmediate(() => response.destroy());
          return;
        case 'json-malformed':
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end('{"choices": [');
          return;
        case 'sse-stall':
          // Streams although asked for one answer, then goes silent.
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'partial' }, finish_reason: null }] })}\n\n`);
          return;
        case 'json-html':
          response.writeHead(200, { 'content-type': 'text/html' });
          response.end('<html>nope</html>');
          return;
        default:
          return; // json-hang: never answers
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let h: Harness;
afterEach(async () => {
  seen.length = 0;
  await h.finish();
});

const route = (name: string, candidates: RouteConfig['candidates'], extra: Partial<RouteConfig> = {}): RouteConfig => ({ name, candidates, strategy: { kind: 'priority' }, ...extra });

async function gateway(wholeAnswers?: boolean, timeouts = { answerTimeoutMs: 300, idleTimeoutMs: 5_000 }): Promise<Harness> {
  h = await startHarness({
    providers: [
      {
        name: 'upstream',
        kind: 'openai-compatible',
        baseUrl,
        apiKey: 'sk-upstream',
        models: ['json-good', 'json-tools', 'json-cut', 'json-malformed', 'json-html', 'json-hang', 'sse-stall'],
        ...timeouts,
        ...(wholeAnswers === undefined ? {} : { wholeAnswers }),
      },
    ],
    routes: [
      route('cut-then-good', [{ model: 'json-cut' }, { model: 'json-good' }]),
      route('malformed-then-good', [{ model: 'json-malformed' }, { model: 'json-good' }]),
      route('hedged', [{ model: 'json-good' }, { model: 'json-tools' }], { speculative: { mode: 'hedge', afterPercentile: 95, minDelayMs: 60_000 } }),
    ],
  });
  return h;
}

function post(body: object): Promise<Response> {
  return fetch(`${h.baseUrl}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

const messages = [{ role: 'user' as const, content: 'Say hello.' }];
const errorCode = async (response: Response): Promise<string> => ((await response.json()) as { error: { code: string } }).error.code;

describe('a non-streaming request reads the upstream answer whole', () => {
  it('asks for one JSON answer, relays it, and meters the upstream usage in exactly one usage event', async () => {
    await gateway();
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'json-good', messages });
    expect(completion.choices[0]?.message.content).toBe('hello whole');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 5 });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.body.stream).toBe(false);
    expect(seen[0]?.body.stream_options).toBeUndefined();
    expect(seen[0]?.headers.accept).toBe('application/json');
    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ provider: 'upstream', model: 'json-good', promptTokens: 11, completionTokens: 5, status: 'ok' });
  });

  it('relays tool calls whole, in order, with the finish reason', async () => {
    await gateway();
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'json-tools', messages });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } },
      { id: 'call_2', type: 'function', function: { name: 'fetch', arguments: '{}' } },
    ]);
  });

  it('a streaming request, and a route that hedges, still ask for a stream', async () => {
    await gateway();
    const streamed = await post({ model: 'json-good', stream: true, messages });
    expect(await streamed.text()).toContain('[DONE]');
    const hedged = await post({ model: 'hedged', messages });
    expect(hedged.status).toBe(200);
    expect(seen.map((s) => s.body.stream)).toEqual([true, true]);
    expect(seen[0]?.body.stream_options).toEqual({ include_usage: true });
  });

  it('a provider configured with wholeAnswers: false is always asked for a stream', async () => {
    await gateway(false);
    const response = await post({ model: 'json-good', messages });
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe('streamed');
    expect(seen.map((s) => s.body.stream)).toEqual([true]);
  });

  it('the prompt is redacted before the upstream sees it', async () => {
    await gateway();
    const response = await post({ model: 'json-good', messages: [{ role: 'user', content: 'Mail anna@example.com the card 4111 1111 1111 1111.' }] });
    expect(response.status).toBe(200);
    const sent = JSON.stringify(seen[0]?.body);
    expect(sent).not.toContain('anna@example.com');
    expect(sent).not.toContain('4111');
    const events = await h.finish();
    expect(events[0]?.piiRedactions).toEqual({ email: 1, payment_card: 1 });
  });

  it('an answer cut mid-body fails over to the next candidate: nothing had reached the client', async () => {
    await gateway();
    const response = await post({ model: 'cut-then-good', messages });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe('hello whole');
    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ model: 'json-good', status: 'ok', promptTokens: 11, completionTokens: 5 });
    expect(events[0]?.route?.legs.map((leg) => [leg.model, leg.outcome])).toEqual([
      ['json-cut', 'failed'],
      ['json-good', 'won'],
    ]);
  });

  it('malformed JSON fails over too, and alone it is a clean 502 upstream_error with one error usage event', async () => {
    await gateway();
    expect((await post({ model: 'malformed-then-good', messages })).status).toBe(200);
    const alone = await post({ model: 'json-malformed', messages });
    expect(alone.status).toBe(502);
    expect(await errorCode(alone)).toBe('upstream_error');
    const events = await h.finish();
    expect(events.map((event) => event.status)).toEqual(['ok', 'error']);
    expect(events[1]).toMatchObject({ completionTokens: 0 });
  });

  it('a cut answer with nowhere to fail over to, or the wrong content type, is a 502', async () => {
    await gateway();
    const cut = await post({ model: 'json-cut', messages });
    expect(cut.status).toBe(502);
    expect(await errorCode(cut)).toBe('upstream_error');
    const html = await post({ model: 'json-html', messages });
    expect(html.status).toBe(502);
    expect(await errorCode(html)).toBe('upstream_error');
  });

  it('an upstream that streams although asked for one answer is bounded by the idle timeout between its chunks, not the answer timeout', async () => {
    // The answer timeout is an hour: only the idle timeout can end this request before the test's own timeout.
    await gateway(undefined, { answerTimeoutMs: 3_600_000, idleTimeoutMs: 200 });
    const response = await post({ model: 'sse-stall', messages });
    expect(response.status).toBe(504);
    expect(await errorCode(response)).toBe('upstream_timeout');
  });

  it('an answer that never comes times out after the answer timeout with 504 upstream_timeout', async () => {
    await gateway();
    const response = await post({ model: 'json-hang', messages });
    expect(response.status).toBe(504);
    expect(await errorCode(response)).toBe('upstream_timeout');
  });
});
