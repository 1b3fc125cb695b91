import { EventSourceParserStream } from 'eventsource-parser/stream';
import { z } from 'zod';
import type { ChatCompletionRequest } from '../../api/chat-completion-request';
import { parseRetryAfter, UpstreamError, type CompletionEvent, type FinishReason, type ProviderAdapter } from '../adapter';

/**
 * Any OpenAI-compatible upstream (OpenAI, vLLM, Ollama, the mock server). The upstream is always
 * called in streaming mode with usage included, and its SSE is parsed, validated and re-emitted
 * as adapter events; a non-streaming client request is assembled from the same events. That
 * keeps one code path and lets the gateway detect a cut stream (no `[DONE]`) in both modes.
 */
export interface OpenAICompatibleAdapterOptions {
  name: string;
  /** Base URL including the version, e.g. `http://127.0.0.1:9100/v1` for the mock provider. */
  baseUrl: string;
  apiKey?: string;
  /** Abort when the upstream sends nothing for this long (before or between chunks). */
  idleTimeoutMs?: number;
}

const upstreamChunkSchema = z.object({
  choices: z
    .array(
      z.object({
        delta: z.object({ content: z.string().nullable().optional() }).nullable().optional(),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .optional(),
  usage: z.object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative() }).nullable().optional(),
  error: z.object({ message: z.string().optional() }).loose().optional(),
});

const FINISH_REASONS = new Set<string>(['stop', 'length', 'content_filter', 'tool_calls']);

function upstreamBody(request: ChatCompletionRequest) {
  return {
    model: request.model,
    messages: request.messages,
    stream: true,
    stream_options: { include_usage: true },
    temperature: request.temperature ?? undefined,
    top_p: request.top_p ?? undefined,
    max_tokens: request.max_tokens ?? undefined,
    max_completion_tokens: request.max_completion_tokens ?? undefined,
    stop: request.stop ?? undefined,
    presence_penalty: request.presence_penalty ?? undefined,
    frequency_penalty: request.frequency_penalty ?? undefined,
    seed: request.seed ?? undefined,
    user: request.user,
  };
}

export function createOpenAICompatibleAdapter(options: OpenAICompatibleAdapterOptions): ProviderAdapter {
  const endpoint = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;

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
        const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
        const apiKey = call?.apiKey ?? options.apiKey;
        if (apiKey) headers.authorization = `Bearer ${apiKey}`;
        response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(upstreamBody(request)), signal: controller.signal });
      } catch (error) {
        cleanUp();
        // Nothing listening (or the connection dropped before any answer): the provider is down,
        // not the request wrong, so it is `unavailable` (503 + Retry-After) and retried/failed over like a 503.
        if (!timedOut && !signal.aborted && isConnectionFailure(error)) {
          throw new UpstreamError('upstream_unavailable', `${options.name}: cannot reach the provider (${connectionFailureCode(error)})`);
        }
        throw failure(error, 'before the response');
      }
      if (!response.ok || !response.body) {
        cleanUp();
        await response.body?.cancel().catch(() => undefined);
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
        const unavailable = response.status === 429 || response.status === 503 || response.status === 529;
        throw new UpstreamError(unavailable ? 'upstream_unavailable' : 'upstream_error', `${options.name} answered HTTP ${response.status}`, retryAfter, response.status);
      }
      const contentType = response.headers.get('content-type') ?? '';
      if (!contentType.includes('text/event-stream')) {
        cleanUp();
        await response.body.cancel().catch(() => undefined);
        throw new UpstreamError('upstream_error', `${options.name} answered '${contentType}' instead of an event stream`);
      }
      const body = response.body;
      return { events: readEvents(body, armIdleTimer, cleanUp, failure) };
    },
  };
}

const CONNECTION_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** undici's fetch rejects with `TypeError('fetch failed')` whose `cause` carries the socket error code. */
function connectionFailureCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function isConnectionFailure(error: unknown): boolean {
  const code = connectionFailureCode(error);
  return code !== undefined && CONNECTION_FAILURES.has(code);
}

async function* readEvents(
  body: ReadableStream<Uint8Array>,
  onActivity: () => void,
  cleanUp: () => void,
  failure: (error: unknown, phase: string) => UpstreamError,
): AsyncGenerator<CompletionEvent> {
  const events = body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  let done = false;
  try {
    for await (const event of events as unknown as AsyncIterable<{ data: string }>) {
      onActivity();
      if (event.data === '[DONE]') {
        done = true;
        break;
      }
      let json: unknown;
      try {
        json = JSON.parse(event.data);
      } catch {
        throw new UpstreamError('upstream_error', 'upstream sent an event that is not valid JSON');
      }
      const parsed = upstreamChunkSchema.safeParse(json);
      if (!parsed.success) throw new UpstreamError('upstream_error', 'upstream sent a chunk in an unexpected shape');
      const chunk = parsed.data;
      if (chunk.error) throw new UpstreamError('upstream_error', `upstream error: ${chunk.error.message ?? 'unknown'}`);
      for (const choice of chunk.choices ?? []) {
        const content = choice.delta?.content;
        if (content) yield { type: 'delta', content };
        if (choice.finish_reason) {
          const reason = FINISH_REASONS.has(choice.finish_reason) ? (choice.finish_reason as FinishReason) : 'stop';
          yield { type: 'finish', finishReason: reason };
        }
      }
      if (chunk.usage) yield { type: 'usage', promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
    }
    if (!done) throw new UpstreamError('upstream_error', 'upstream stream ended before [DONE]');
  } catch (error) {
    throw failure(error, 'mid-stream');
  } finally {
    cleanUp();
    if (!done) await body.cancel().catch(() => undefined);
  }
}
