import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStaticPriceBookSource } from '../accounting/price-book';
import type { ProviderCredentialLookup } from '../adapters/tenant-credentials/credential-cache';
import { createDataPlane } from '../app';
import type { Bus } from '@switchyard/bus';
import type { ApiKeyResolver } from '@switchyard/identity/api-keys';
import { createInProcessRateLimiter } from '../ingress/rate-limit/in-process-rate-limiter';
import { TEST_PRICE_BOOK } from './data-plane-harness';

export interface RecordingUpstream {
  server: Server;
  baseUrl: string;
  /** Request headers of every call, in order. */
  seen: IncomingHttpHeaders[];
}

/** An OpenAI-compatible upstream on port 0 that records the headers of every call. */
export async function startRecordingUpstream(): Promise<RecordingUpstream> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (body: object) => response.write(`data: ${JSON.stringify({ id: 'up-1', object: 'chat.completion.chunk', created: 1, model: 'up-model', ...body })}\n\n`);
      chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'hello' }, finish_reason: null }] });
      chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      chunk({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } });
      response.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen };
}

/** The key the data plane is configured with for the recording upstream (used for tenants without their own). */
export const PLATFORM_UPSTREAM_KEY = 'sk-platform-configured-key';

export interface DataPlaneBeforeRecordingUpstream {
  /** `/v1/chat/completions` of the data plane. */
  url: string;
  upstream: RecordingUpstream;
  /** Closes the data plane, the upstream and the rate limiter; the caller's bus stays open. */
  close(): Promise<void>;
}

/**
 * A data plane on port 0 whose one provider, `upstream` (model `up-model`), is a recording
 * upstream configured with {@link PLATFORM_UPSTREAM_KEY}: what it sees shows which credential
 * each tenant's request was sent with.
 */
export async function startDataPlaneBeforeRecordingUpstream(deps: {
  apiKeys: ApiKeyResolver;
  bus: Bus;
  providerCredentials: ProviderCredentialLookup;
}): Promise<DataPlaneBeforeRecordingUpstream> {
  const upstream = await startRecordingUpstream();
  const rateLimiter = createInProcessRateLimiter();
  const dataPlane = createDataPlane({
    apiKeys: deps.apiKeys,
    priceBook: createStaticPriceBookSource(TEST_PRICE_BOOK),
    bus: deps.bus,
    rateLimiter,
    providers: [{ name: 'upstream', kind: 'openai-compatible', baseUrl: upstream.baseUrl, apiKey: PLATFORM_UPSTREAM_KEY, models: ['up-model'] }],
    providerCredentials: deps.providerCredentials,
  });
  await new Promise<void>((resolve) => dataPlane.server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(dataPlane.server.address() as AddressInfo).port}/v1/chat/completions`,
    upstream,
    async close() {
      await dataPlane.close();
      await new Promise((resolve) => upstream.server.close(resolve));
      await rateLimiter.close();
    },
  };
}
