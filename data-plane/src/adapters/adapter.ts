import type { CompletionEvent } from '../domain/completion-event';
import type { EmbeddingRequest, EmbeddingResult } from '../domain/embedding-request';
import type { InferenceRequest } from '../domain/inference-request';

/**
 * A provider adapter turns one inference request into a stream of events, translating the request
 * into its provider's wire format and the provider's answer into completion events. `start`
 * resolves once the provider has accepted the request (status received): failures before that are
 * UpstreamErrors the gateway can still answer with a clean 5xx. Failures while iterating happen
 * after the first byte may have reached the client and end the stream with an error event.
 */
export interface ProviderCall {
  events: AsyncIterable<CompletionEvent>;
}

/** Per-call settings: `apiKey` is the calling tenant's own credential for this provider, when it has one. */
export interface ProviderCallOptions {
  apiKey?: string | undefined;
  /**
   * The caller reads the answer only whole (a non-streaming request with no speculative leg and no
   * first-token timeout): an adapter may ask its provider for one answer instead of a stream. The
   * events are the same; they all arrive at once, when the answer is complete.
   */
  whole?: boolean;
}

export interface ProviderAdapter {
  /** Provider name as configured; recorded in usage events. */
  readonly name: string;
  start(request: InferenceRequest, signal: AbortSignal, options?: ProviderCallOptions): Promise<ProviderCall>;
  /**
   * Embeds texts (POST /v1/embeddings); absent when the provider has no embeddings API. Failures
   * are UpstreamErrors, like `start`'s.
   */
  embed?(request: EmbeddingRequest, signal: AbortSignal, options?: ProviderCallOptions): Promise<EmbeddingResult>;
}

export type UpstreamFailure = 'upstream_error' | 'upstream_unavailable' | 'upstream_timeout';

/** The provider failed; `failure` picks the client-facing error code. */
export class UpstreamError extends Error {
  constructor(
    readonly failure: UpstreamFailure,
    message: string,
    readonly retryAfterSeconds?: number,
    /** The provider's HTTP status, when it answered with one. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }

  /**
   * The provider is up but refused this particular request (400, 413, 422, ...): the request's
   * fault, not the upstream's health, so it must not trip a circuit breaker shared by everyone.
   */
  get refusedRequest(): boolean {
    return this.status !== undefined && this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429;
  }
}

/** Parses a Retry-After header (seconds or HTTP date) into seconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}
