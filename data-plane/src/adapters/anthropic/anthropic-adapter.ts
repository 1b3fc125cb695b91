import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { CompletionEvent } from '../../domain/completion-event';
import { parseRetryAfter, UpstreamError, type ProviderAdapter } from '../adapter';
import { createAnthropicEventFolder } from './anthropic-events';
import { DEFAULT_MAX_TOKENS, toAnthropicBody } from './anthropic-request';

/**
 * Anthropic's Messages API behind the OpenAI-compatible front door. Like the OpenAI-compatible
 * adapter, the upstream is always streamed and non-streaming client requests are assembled from
 * the same events, so a cut stream (no `message_stop`) is detected in both modes.
 */
export interface AnthropicAdapterOptions {
  name: string;
  /** The Messages API origin, without the version (configured per provider; there is no default). */
  baseUrl: string;
  apiKey?: string;
  /** Abort when the upstream sends nothing for this long (before or between events). */
  idleTimeoutMs?: number;
  /** Sent when the client gives neither `max_tokens` nor `max_completion_tokens` (Anthropic requires one). */
  defaultMaxTokens?: number;
}

export const ANTHROPIC_VERSION = '2023-06-01';

export function createAnthropicAdapter(options: AnthropicAdapterOptions): ProviderAdapter {
  const endpoint = `${options.baseUrl.replace(/\/+$/, '')}/v1/messages`;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const defaultMaxTokens = options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS;

  return {
    name: options.name,
    async start(request, signal, call) {
      const controller = new AbortController();
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined;
      const armIdleTimer = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, idleTimeoutMs);
      };
      const onClientAbort = (): void => controller.abort();
      if (signal.aborted) controller.abort();
      signal.addEventListener('abort', onClientAbort, { once: true });
      const cleanUp = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onClientAbort);
      };
      const failure = (error: unknown, phase: string): UpstreamError => {
        if (error instanceof UpstreamError) return error;
        if (timedOut) return new UpstreamError('upstream_timeout', `${options.name}: no data for ${idleTimeoutMs} ms ${phase}`);
        return new UpstreamError('upstream_error', `${options.name}: ${phase}: ${error instanceof Error ? error.message : String(error)}`);
      };

      armIdleTimer();
      let response: Response;
      try {
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'anthropic-version': ANTHROPIC_VERSION,
        };
        const apiKey = call?.apiKey ?? options.apiKey;
        if (apiKey) headers['x-api-key'] = apiKey;
        const body = JSON.stringify(toAnthropicBody(request, defaultMaxTokens));
        response = await fetch(endpoint, { method: 'POST', headers, body, signal: controller.signal });
      } catch (error) {
        cleanUp();
        throw failure(error, 'before the response');
      }
      if (!response.ok || !response.body) {
        cleanUp();
        await response.body?.cancel().catch(() => undefined);
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
        // 529 is Anthropic's "overloaded".
        const unavailable = response.status === 429 || response.status === 503 || response.status === 529;
        throw new UpstreamError(unavailable ? 'upstream_unavailable' : 'upstream_error', `${options.name} answered HTTP ${response.status}`, retryAfter, response.status);
      }
      const contentType = response.headers.get('content-type') ?? '';
      if (!contentType.includes('text/event-stream')) {
        cleanUp();
        await response.body.cancel().catch(() => undefined);
        throw new UpstreamError('upstream_error', `${options.name} answered '${contentType}' instead of an event stream`);
      }
      return { events: readEvents(response.body, armIdleTimer, cleanUp, failure) };
    },
  };
}

async function* readEvents(
  body: ReadableStream<Uint8Array>,
  onActivity: () => void,
  cleanUp: () => void,
  failure: (error: unknown, phase: string) => UpstreamError,
): AsyncGenerator<CompletionEvent> {
  const events = body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  const folder = createAnthropicEventFolder();
  try {
    for await (const event of events as unknown as AsyncIterable<{ data: string }>) {
      onActivity();
      yield* folder.next(event.data);
      if (folder.completed) break;
    }
    if (!folder.completed) throw new UpstreamError('upstream_error', 'upstream stream ended before message_stop');
  } catch (error) {
    throw failure(error, 'mid-stream');
  } finally {
    cleanUp();
    if (!folder.completed) await body.cancel().catch(() => undefined);
  }
}
