import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { InferenceRequest } from '../../domain/inference-request';
import { createOpenAICompatibleAdapter } from './openai-compatible-adapter';

/** A bare SSE upstream that counts the TCP connections it accepts. */
async function countingUpstream(): Promise<{ server: Server; baseUrl: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.once('end', () => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"choices":[{"delta":{"content":"hé"}}]}\n\n');
      response.write('data: {"choices":[{"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}\n\n');
      response.end('data: [DONE]\n\n');
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}/v1`, connections: () => connections };
}

const request: InferenceRequest = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('OpenAI-compatible adapter connections', () => {
  it('keeps upstream connections alive: 25 sequential calls share one or two connections', async () => {
    const upstream = await countingUpstream();
    server = upstream.server;
    const adapter = createOpenAICompatibleAdapter({ name: 'u', baseUrl: upstream.baseUrl });
    for (let i = 0; i < 25; i += 1) {
      const events = [];
      for await (const event of (await adapter.start(request, new AbortController().signal)).events) events.push(event);
      expect(events).toEqual([
        { type: 'delta', content: 'hé' },
        { type: 'finish', finishReason: 'stop' },
        { type: 'usage', promptTokens: 3, completionTokens: 1 },
      ]);
    }
    // undici may open a second connection when a call starts in the same tick the previous one
    // finished (its connection is not marked free yet); never one per call.
    expect(upstream.connections()).toBeLessThanOrEqual(2);
  });

  it('a caller that stops reading mid-stream frees the call; later calls still succeed', async () => {
    const upstream = await countingUpstream();
    server = upstream.server;
    const adapter = createOpenAICompatibleAdapter({ name: 'u', baseUrl: upstream.baseUrl });
    for (let i = 0; i < 5; i += 1) {
      const iterator = (await adapter.start(request, new AbortController().signal)).events[Symbol.asyncIterator]();
      expect((await iterator.next()).value).toEqual({ type: 'delta', content: 'hé' });
      await iterator.return?.();
    }
    let finished = false;
    for await (const event of (await adapter.start(request, new AbortController().signal)).events) finished ||= event.type === 'finish';
    expect(finished).toBe(true);
  });
});
