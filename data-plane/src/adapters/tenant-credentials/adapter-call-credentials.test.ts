import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceRequest } from '../../domain/inference-request';
import { UpstreamError } from '../adapter';
import { createAnthropicAdapter } from '../anthropic/anthropic-adapter';
import { createOpenAICompatibleAdapter } from '../openai-compatible/openai-compatible-adapter';

/** Each real adapter puts the per-call key where its provider expects it, over the configured one. */
describe('per-call credentials in the real adapters', () => {
  const seen: IncomingHttpHeaders[] = [];
  let server: Server;
  let origin: string;
  const request: InferenceRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

  beforeAll(async () => {
    // Refuses everything: the adapter's start() rejects after the headers were sent, which is all we look at.
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"no"}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('openai-compatible: Authorization: Bearer <tenant key>, else the configured key', async () => {
    const adapter = createOpenAICompatibleAdapter({ name: 'o', baseUrl: `${origin}/v1`, apiKey: 'sk-configured' });
    await expect(adapter.start(request, new AbortController().signal, { apiKey: 'sk-tenant' })).rejects.toBeInstanceOf(UpstreamError);
    expect(seen.at(-1)?.authorization).toBe('Bearer sk-tenant');
    await expect(adapter.start(request, new AbortController().signal, {})).rejects.toBeInstanceOf(UpstreamError);
    expect(seen.at(-1)?.authorization).toBe('Bearer sk-configured');
  });

  it('anthropic: x-api-key: <tenant key>, else the configured key', async () => {
    const adapter = createAnthropicAdapter({ name: 'a', baseUrl: origin, apiKey: 'sk-ant-configured' });
    await expect(adapter.start(request, new AbortController().signal, { apiKey: 'sk-ant-tenant' })).rejects.toBeInstanceOf(UpstreamError);
    expect(seen.at(-1)?.['x-api-key']).toBe('sk-ant-tenant');
    await expect(adapter.start(request, new AbortController().signal)).rejects.toBeInstanceOf(UpstreamError);
    expect(seen.at(-1)?.['x-api-key']).toBe('sk-ant-configured');
  });
});
