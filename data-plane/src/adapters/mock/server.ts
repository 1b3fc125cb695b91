import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseChatCompletionRequest, toInferenceRequest } from '../../api/chat-completion-request';
import {
  chatCompletion,
  chatCompletionChunk,
  contentChunkEncoder,
  modelList,
  sseData,
  SSE_DONE,
  usageChunk,
  usageOf,
} from '../../api/chat-completion-response';
import { embeddingsResponse, parseEmbeddingsRequest } from '../../api/embeddings-request';
import { ApiError } from '../../errors';
import { MOCK_EMBEDDING_DIMENSIONS, mockEmbedding } from './mock-embedding';
import { readJsonBody } from '../../http/read-json-body';
import { sendError, sendJson, startEventStream } from '../../http/respond';
import { directivesFromPrompt, isMockModel, mockCompletion, MOCK_MODELS, parseDirectiveWords, type MockDirectives } from './mock-model';

/**
 * The mock provider as a standalone OpenAI-compatible HTTP server (benchmark upstream, test
 * upstream). Per-request behaviour: the `x-mock` header or `[mock: ...]` in the last user
 * message (the header wins); see README.md beside this file.
 */
export interface MockProviderOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Behaviour for every request (any directive, e.g. `{ status: 500 }`); per-request directives override it. */
  defaults?: MockDirectives;
  maxBodyBytes?: number;
}

export interface MockProvider {
  /** `http://host:port` */
  url: string;
  /** `http://host:port/v1`, the OpenAI `baseURL`. */
  baseUrl: string;
  close(): Promise<void>;
}

export const MOCK_DIRECTIVE_HEADER = 'x-mock';

let completionCounter = 0;

/** Resolves once `text` (and everything before it) has been handed to the socket. */
function writeFlushed(response: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve) => response.write(text, () => resolve()));
}

export async function startMockProvider(options: MockProviderOptions = {}): Promise<MockProvider> {
  const sockets = new Set<Socket>();
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      sendError(response, error instanceof ApiError ? error : new ApiError('internal_error'));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (request.method === 'GET' && path === '/healthz') return sendJson(response, 200, { status: 'ok' });
    if (request.method === 'GET' && path === '/v1/models') {
      return sendJson(response, 200, modelList(MOCK_MODELS.map((id) => ({ id, ownedBy: 'switchyard-mock' })), 1_700_000_000));
    }
    if (path === '/v1/embeddings') return embeddings(request, response);
    if (path !== '/v1/chat/completions') throw new ApiError('not_found');
    if (request.method !== 'POST') throw new ApiError('method_not_allowed');

    const chatRequest = toInferenceRequest(parseChatCompletionRequest(await readJsonBody(request, maxBodyBytes)));
    if (!isMockModel(chatRequest.model)) {
      throw new ApiError('model_not_found', { param: 'model', message: `The model '${chatRequest.model}' does not exist on the mock provider.` });
    }
    const header = request.headers[MOCK_DIRECTIVE_HEADER];
    const directives: MockDirectives = {
      ...options.defaults,
      ...directivesFromPrompt(chatRequest),
      ...(typeof header === 'string' ? parseDirectiveWords(header) : {}),
    };

    if (directives.hang) return; // Never answer; close() destroys the socket.
    if (directives.status !== undefined) {
      const headers: Record<string, string> = {};
      if (directives.retryAfterSeconds !== undefined) headers['retry-after'] = String(directives.retryAfterSeconds);
      return sendJson(
        response,
        directives.status,
        { error: { message: `mock failure ${directives.status}`, type: 'mock_error', param: null, code: 'mock_failure' } },
        headers,
      );
    }

    const completion = mockCompletion(chatRequest, directives);
    completionCounter += 1;
    const identity = { id: `chatcmpl-mock-${completionCounter}`, created: Math.floor(Date.now() / 1000), model: chatRequest.model };
    const usage = usageOf(completion.promptTokens, completion.completionTokens);
    if (directives.firstTokenLatencyMs) await sleep(directives.firstTokenLatencyMs);

    if (!chatRequest.stream) {
      if (directives.malformedJson) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"id": "chatcmpl-broken", "choices": [');
        return;
      }
      if (directives.failAfterChunks !== undefined) {
        // Headers out, then the connection drops mid-body.
        response.writeHead(200, { 'content-type': 'application/json' });
        await writeFlushed(response, '{"id": "chatcmpl-cut", ');
        response.destroy();
        return;
      }
      return sendJson(response, 200, chatCompletion(identity, completion.chunks.join(''), completion.finishReason, usage));
    }

    const includeUsage = chatRequest.streamUsage === true;
    startEventStream(response);
    response.write(sseData(chatCompletionChunk(identity, { role: 'assistant', content: '' }, null, includeUsage)));
    const contentChunk = contentChunkEncoder(identity, includeUsage);
    for (const [index, content] of completion.chunks.entries()) {
      if (directives.failAfterChunks !== undefined && index >= directives.failAfterChunks) {
        await writeFlushed(response, ''); // let what was sent reach the client first
        response.destroy(); // then cut the stream mid-way, like a crashed upstream
        return;
      }
      if (directives.malformedJson && index === Math.min(1, completion.chunks.length - 1)) {
        response.write('data: {"id": not-json\n\n');
        response.end();
        return;
      }
      if (index > 0 && directives.chunkLatencyMs) await sleep(directives.chunkLatencyMs);
      response.write(contentChunk(content));
    }
    if (directives.failAfterChunks !== undefined) {
      await writeFlushed(response, '');
      response.destroy();
      return;
    }
    response.write(sseData(chatCompletionChunk(identity, {}, completion.finishReason, includeUsage)));
    if (includeUsage) response.write(sseData(usageChunk(identity, usage)));
    response.end(SSE_DONE);
  }

  async function embeddings(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') throw new ApiError('method_not_allowed');
    const { request: embedding } = parseEmbeddingsRequest(await readJsonBody(request, maxBodyBytes));
    if (!isMockModel(embedding.model)) {
      throw new ApiError('model_not_found', { param: 'model', message: `The model '${embedding.model}' does not exist on the mock provider.` });
    }
    const header = request.headers[MOCK_DIRECTIVE_HEADER];
    const directives: MockDirectives = {
      ...options.defaults,
      ...directivesFromPrompt({ messages: embedding.inputs.map((content) => ({ role: 'user', content })) }),
      ...(typeof header === 'string' ? parseDirectiveWords(header) : {}),
    };
    if (directives.hang) return;
    if (directives.status !== undefined) {
      const headers: Record<string, string> = {};
      if (directives.retryAfterSeconds !== undefined) headers['retry-after'] = String(directives.retryAfterSeconds);
      return sendJson(response, directives.status, { error: { message: `mock failure ${directives.status}`, type: 'mock_error', param: null, code: 'mock_failure' } }, headers);
    }
    if (directives.firstTokenLatencyMs) await sleep(directives.firstTokenLatencyMs);
    const vectors = embedding.inputs.map((text) => mockEmbedding(embedding.model, text, embedding.dimensions ?? MOCK_EMBEDDING_DIMENSIONS));
    const promptTokens = embedding.inputs.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
    return sendJson(response, 200, embeddingsResponse(embedding.model, { vectors, promptTokens }, 'float'));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The mock provider's embedding model, for tools that embed as it does (the vector benchmark). */
export { mockEmbedding, MOCK_EMBEDDING_MODEL, MOCK_EMBEDDING_DIMENSIONS } from './mock-embedding';
