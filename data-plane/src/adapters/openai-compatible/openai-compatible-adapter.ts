import { Pool, type Dispatcher } from 'undici';
import { parseRetryAfter, UpstreamError, type ProviderAdapter } from '../adapter';
import { toOpenAIBody } from './openai-request';
import { parseUpstreamEmbeddings, toOpenAIEmbeddingsBody } from './upstream-embeddings';
import { UpstreamEventStream } from './upstream-event-stream';
import { wholeAnswerEvents } from './whole-answer-events';

/**
 * Any OpenAI-compatible upstream (OpenAI, vLLM, Ollama, the mock server). The upstream is called
 * in streaming mode with usage included, and its SSE is parsed, validated and re-emitted as
 * adapter events, which lets the gateway detect a cut stream (no `[DONE]`) and cut a losing
 * speculative leg at the token. When the caller reads the answer only whole (`whole`: a
 * non-streaming request with no speculative leg and no first-token timeout) the upstream is asked
 * for one JSON answer instead, read in one piece and turned into the same events
 * (upstream-answer.ts): no event-stream parsing per chunk. A cut or malformed answer then fails
 * before the first event, so the router fails over, as for a stream cut before its first chunk.
 */
export interface OpenAICompatibleAdapterOptions {
  name: string;
  /** Base URL including the version, e.g. `http://127.0.0.1:9100/v1` for the mock provider. */
  baseUrl: string;
  apiKey?: string;
  /** Abort when the upstream sends nothing for this long (before or between chunks). */
  idleTimeoutMs?: number;
  /**
   * Abort an answer asked for whole after this long (default 10 minutes). A non-streaming upstream
   * is silent until its answer is complete, so the idle timeout cannot bound it: a long answer
   * would be cut where its stream would have flowed.
   */
  answerTimeoutMs?: number;
  /** false: always ask for a stream, even when the caller reads the answer whole (default true). */
  wholeAnswers?: boolean;
}

/** A whole answer larger than this is refused (a hostile or broken upstream does not fill the heap). */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;
const DEFAULT_ANSWER_TIMEOUT_MS = 600_000;

/**
 * One keep-alive connection pool per upstream origin (undici Pool, not fetch: no WHATWG stream
 * per call, no per-call Request/Headers objects). No pipelining: a streamed answer holds its
 * connection until the end, and a pipelined request behind it would wait for the whole stream.
 * Connections are unbounded here; the router's per-upstream AIMD gate bounds concurrency.
 */
function upstreamPool(origin: string): Pool {
  return new Pool(origin, {
    pipelining: 1,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    // The adapter's own idle timer covers silence before and between chunks.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
}

export function createOpenAICompatibleAdapter(options: OpenAICompatibleAdapterOptions): ProviderAdapter {
  const endpoint = new URL(`${options.baseUrl.replace(/\/+$/, '')}/chat/completions`);
  const path = endpoint.pathname + endpoint.search;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const answerTimeoutMs = options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
  const pool = upstreamPool(endpoint.origin);
  const embeddingsPath = new URL(`${options.baseUrl.replace(/\/+$/, '')}/embeddings`).pathname;

  return {
    name: options.name,
    async embed(request, signal, call) {
      // One answer, not a stream: the idle timeout bounds the whole call.
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, idleTimeoutMs);
      const onClientAbort = (): void => controller.abort();
      signal.addEventListener('abort', onClientAbort, { once: true });
      try {
        const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
        const apiKey = call?.apiKey ?? options.apiKey;
        if (apiKey) headers.authorization = `Bearer ${apiKey}`;
        const response = await pool.request({ method: 'POST', path: embeddingsPath, headers, body: JSON.stringify(toOpenAIEmbeddingsBody(request)), signal: controller.signal });
        if (response.statusCode < 200 || response.statusCode > 299) {
          await response.body.dump().catch(() => undefined);
          const retryAfter = parseRetryAfter(headerValue(response.headers['retry-after']));
          const unavailable = response.statusCode === 429 || response.statusCode === 503 || response.statusCode === 529;
          throw new UpstreamError(unavailable ? 'upstream_unavailable' : 'upstream_error', `${options.name} answered HTTP ${response.statusCode}`, retryAfter, response.statusCode);
        }
        const result = parseUpstreamEmbeddings(await response.body.json().catch(() => undefined), request.inputs.length);
        if (!result) throw new UpstreamError('upstream_error', `${options.name} answered embeddings that do not match the request`);
        return result;
      } catch (error) {
        if (error instanceof UpstreamError) throw error;
        if (timedOut) throw new UpstreamError('upstream_timeout', `${options.name}: no answer for ${idleTimeoutMs} ms`);
        if (!signal.aborted && isConnectionFailure(error)) throw new UpstreamError('upstream_unavailable', `${options.name}: cannot reach the provider (${connectionFailureCode(error)})`);
        throw new UpstreamError('upstream_error', `${options.name}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onClientAbort);
      }
    },
    async start(request, signal, call) {
      const whole = call?.whole === true && options.wholeAnswers !== false;
      const controller = new AbortController();
      let timedOut = false;
      // One timer per call: re-armed with refresh() on every chunk of a stream (no clear/set per
      // chunk); for a whole answer it bounds the call, so nothing re-arms it.
      let timeoutMs = whole ? answerTimeoutMs : idleTimeoutMs;
      const onTimeout = (): void => {
        timedOut = true;
        controller.abort();
      };
      let timer = setTimeout(onTimeout, timeoutMs);
      const armIdleTimer = (): void => {
        timer.refresh();
      };
      const onClientAbort = (): void => controller.abort();
      signal.addEventListener('abort', onClientAbort, { once: true });
      const cleanUp = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onClientAbort);
      };
      const failure = (error: unknown, phase: string): UpstreamError => {
        if (error instanceof UpstreamError) return error;
        if (timedOut) return new UpstreamError('upstream_timeout', timeoutMs === idleTimeoutMs ? `${options.name}: no data for ${idleTimeoutMs} ms ${phase}` : `${options.name}: no complete answer within ${timeoutMs} ms`);
        return new UpstreamError('upstream_error', `${options.name}: ${phase}: ${error instanceof Error ? error.message : String(error)}`);
      };

      let response: Dispatcher.ResponseData;
      try {
        const headers: Record<string, string> = { 'content-type': 'application/json', accept: whole ? 'application/json' : 'text/event-stream' };
        const apiKey = call?.apiKey ?? options.apiKey;
        if (apiKey) headers.authorization = `Bearer ${apiKey}`;
        response = await pool.request({ method: 'POST', path, headers, body: JSON.stringify(toOpenAIBody(request, !whole)), signal: controller.signal });
      } catch (error) {
        cleanUp();
        // Nothing listening (or the connection dropped before any answer): the provider is down,
        // not the request wrong, so it is `unavailable` (503 + Retry-After) and retried/failed over like a 503.
        if (!timedOut && !signal.aborted && isConnectionFailure(error)) {
          throw new UpstreamError('upstream_unavailable', `${options.name}: cannot reach the provider (${connectionFailureCode(error)})`);
        }
        throw failure(error, 'before the response');
      }
      const { statusCode, body } = response;
      if (statusCode < 200 || statusCode > 299) {
        cleanUp();
        // Read and drop what is left so the connection goes back to the pool.
        await body.dump().catch(() => undefined);
        const retryAfter = parseRetryAfter(headerValue(response.headers['retry-after']));
        const unavailable = statusCode === 429 || statusCode === 503 || statusCode === 529;
        throw new UpstreamError(unavailable ? 'upstream_unavailable' : 'upstream_error', `${options.name} answered HTTP ${statusCode}`, retryAfter, statusCode);
      }
      const contentType = headerValue(response.headers['content-type']) ?? '';
      // An upstream that streams although asked not to is read as the stream it is.
      if (whole && !contentType.includes('text/event-stream')) {
        if (!contentType.includes('application/json')) {
          cleanUp();
          await body.dump().catch(() => undefined);
          throw new UpstreamError('upstream_error', `${options.name} answered '${contentType}' instead of a JSON answer`);
        }
        return { events: wholeAnswerEvents(body, MAX_ANSWER_BYTES, cleanUp, failure) };
      }
      if (whole && timeoutMs !== idleTimeoutMs) {
        // It streams after all: silence between its chunks is bounded by the idle timeout, as for any stream.
        clearTimeout(timer);
        timeoutMs = idleTimeoutMs;
        timer = setTimeout(onTimeout, timeoutMs);
      }
      if (!contentType.includes('text/event-stream')) {
        cleanUp();
        await body.dump().catch(() => undefined);
        throw new UpstreamError('upstream_error', `${options.name} answered '${contentType}' instead of an event stream`);
      }
      return { events: new UpstreamEventStream(body, { onActivity: armIdleTimer, cleanUp, failure }) };
    },
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const CONNECTION_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** The socket error code: on the error itself (undici's request) or on its `cause` (fetch's `TypeError('fetch failed')`). */
function connectionFailureCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const cause = error.cause as { code?: unknown } | undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function isConnectionFailure(error: unknown): boolean {
  const code = connectionFailureCode(error);
  return code !== undefined && CONNECTION_FAILURES.has(code);
}
