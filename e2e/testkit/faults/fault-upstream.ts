import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An OpenAI-compatible upstream that misbehaves on purpose, on port 0. The requested `model`
 * names the fault, so one server plays every provider of the catalogue:
 *
 * | model                 | behaviour                                                                 |
 * |-----------------------|---------------------------------------------------------------------------|
 * | `healthy`             | streams `tokens` words, usage, `[DONE]`                                   |
 * | `rate-limited`        | 429 with `Retry-After: 7` and an OpenAI error body                         |
 * | `server-error`        | 500 with an OpenAI error body                                             |
 * | `hang`                | accepts the request, never answers (timeout before the first byte)        |
 * | `cut-after-3`         | streams 3 words, then destroys the socket (no finish, no `[DONE]`)         |
 * | `slow-drip`           | streams `tokens` words `dripMs` apart, then finishes normally              |
 * | `stall-after-2`       | streams 2 words, then goes silent forever (idle timeout mid-stream)        |
 * | `malformed`           | 200 event stream whose first event is not JSON                            |
 * | `malformed-after-2`   | 2 good words, then an event that is not JSON                              |
 * | `json-not-sse`        | 200 `application/json` with a truncated JSON body                         |
 * | `flaky`               | 500 while `failing` is set, else like `healthy`                          |
 */
export interface FaultUpstream {
  baseUrl: string;
  /** Requests received per model. */
  calls: Map<string, number>;
  /** Drives `flaky`. */
  failing: boolean;
  close(): Promise<void>;
}

export const FAULT_MODELS = [
  'healthy',
  'rate-limited',
  'server-error',
  'hang',
  'cut-after-3',
  'slow-drip',
  'stall-after-2',
  'malformed',
  'malformed-after-2',
  'json-not-sse',
  'flaky',
] as const;

export interface FaultUpstreamOptions {
  /** Words in a complete answer (default 5). */
  tokens?: number;
  /** Gap between `slow-drip` words (default 60 ms). */
  dripMs?: number;
  /** `slow-drip` words (default 25, so the drip outlasts a 1 s idle timeout many times over in total). */
  dripTokens?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function chunk(model: string, delta: Record<string, unknown>, finish: string | null): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-fault', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

function usage(model: string, completion: number): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-fault', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: 11, completion_tokens: completion, total_tokens: 11 + completion } })}\n\n`;
}

function openAiError(response: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } }));
}

async function readBody(request: IncomingMessage): Promise<{ model?: string }> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as { model?: string };
}

export async function startFaultUpstream(options: FaultUpstreamOptions = {}): Promise<FaultUpstream> {
  const tokens = options.tokens ?? 5;
  const dripMs = options.dripMs ?? 60;
  const dripTokens = options.dripTokens ?? 25;
  const sockets = new Set<Socket>();
  const calls = new Map<string, number>();

  const stream = async (response: ServerResponse, model: string, words: number, gapMs = 0, finish = true): Promise<void> => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    response.write(chunk(model, { role: 'assistant', content: '' }, null));
    for (let i = 0; i < words; i += 1) {
      if (gapMs > 0) await sleep(gapMs);
      if (response.destroyed) return;
      response.write(chunk(model, { content: `w${i} ` }, null));
    }
    if (!finish) return;
    response.write(chunk(model, {}, 'stop'));
    response.write(usage(model, words));
    response.end('data: [DONE]\n\n');
  };

  const state: FaultUpstream = {
    baseUrl: '',
    calls,
    failing: false,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      const { model = '' } = await readBody(request);
      calls.set(model, (calls.get(model) ?? 0) + 1);
      switch (model) {
        case 'healthy':
          return stream(response, model, tokens);
        case 'rate-limited':
          return openAiError(response, 429, 'Rate limit reached for requests', { 'retry-after': '7' });
        case 'server-error':
          return openAiError(response, 500, 'The server had an error while processing your request.');
        case 'hang':
          return; // Headers never come: the gateway's idle timer must fire.
        case 'cut-after-3':
          await stream(response, model, 3, 0, false);
          // Let the three words reach the gateway, then cut the TCP connection mid-answer.
          await sleep(20);
          response.socket?.destroy();
          return;
        case 'slow-drip':
          return stream(response, model, dripTokens, dripMs);
        case 'stall-after-2':
          return stream(response, model, 2, 0, false);
        case 'malformed':
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.end('data: {"choices": [ {"delta": \n\n');
          return;
        case 'malformed-after-2':
          await stream(response, model, 2, 0, false);
          response.end('data: {"choices": [ {"delta": \n\n');
          return;
        case 'json-not-sse':
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end('{"id":"chatcmpl-x","choices":[{"message":{"content":"trunc');
          return;
        case 'flaky':
          if (state.failing) return openAiError(response, 500, 'flaky upstream is failing');
          return stream(response, model, tokens);
        default:
          return openAiError(response, 404, `unknown fault model '${model}'`);
      }
    })().catch(() => response.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return state;
}

/** A loopback port nothing listens on (bound, then released): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
