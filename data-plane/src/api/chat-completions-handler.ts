import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { countPromptTokens, estimateCompletionTokens } from '../accounting/token-count';
import type { UsageRecorder } from '../accounting/usage-recorder';
import { UpstreamError, type CompletionEvent, type FinishReason } from '../adapters/adapter';
import type { ProviderRegistry } from '../adapters/provider-registry';
import { ApiError } from '../errors';
import { readJsonBody } from '../http/read-json-body';
import { sendJson, startEventStream } from '../http/respond';
import type { AuthenticatedKey } from '../ingress/authenticate';
import type { RateLimiter } from '../ingress/rate-limit/rate-limiter';
import type { Metrics } from '../telemetry/metrics';
import { parseChatCompletionRequest, type ChatCompletionRequest } from './chat-completion-request';
import {
  chatCompletion,
  chatCompletionChunk,
  sseData,
  SSE_DONE,
  usageChunk,
  usageOf,
  type CompletionIdentity,
} from './chat-completion-response';

export interface ChatCompletionsDeps {
  providers: ProviderRegistry;
  rateLimiter: RateLimiter;
  requestsPerMinutePerKey: number;
  maxBodyBytes: number;
  usage: UsageRecorder;
  metrics: Metrics;
  logger: Logger;
}

export interface RequestContext {
  requestId: string;
  startedAt: number;
  key: AuthenticatedKey;
}

function upstreamToApiError(error: unknown): ApiError {
  if (error instanceof UpstreamError) {
    return new ApiError(error.failure, error.failure === 'upstream_unavailable' ? { retryAfterSeconds: error.retryAfterSeconds ?? 1 } : {});
  }
  return new ApiError('upstream_error');
}

/**
 * POST /v1/chat/completions. Order matters: everything that can reject the request (body,
 * schema, model, rate limit) runs before any state is touched, and the usage event is recorded
 * only for requests that reached a provider.
 */
export async function handleChatCompletions(
  deps: ChatCompletionsDeps,
  context: RequestContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const chatRequest = parseChatCompletionRequest(await readJsonBody(request, deps.maxBodyBytes));
  const route = deps.providers.route(chatRequest.model);
  if (!route) {
    throw new ApiError('model_not_found', {
      param: 'model',
      message: `The model '${chatRequest.model.slice(0, 256)}' does not exist or is not available. List available models with GET /v1/models.`,
    });
  }
  const decision = await deps.rateLimiter.consume(`rpm:${context.key.apiKeyId}`, { limit: deps.requestsPerMinutePerKey, periodMs: 60_000 });
  if (!decision.allowed) {
    deps.metrics.rateLimitRejections.inc();
    throw new ApiError('rate_limit_exceeded', { retryAfterSeconds: decision.retryAfterMs / 1000 });
  }

  // Abort the provider call when the client goes away before the answer is complete.
  const abort = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) abort.abort();
  });

  const identity: CompletionIdentity = {
    id: `chatcmpl-${context.requestId}`,
    created: Math.floor(context.startedAt / 1000),
    model: chatRequest.model,
  };
  const tally = { content: '', promptTokens: undefined as number | undefined, completionTokens: undefined as number | undefined };
  let recorded = false;
  // Exactly one usage event per accepted request, whatever path it ends on.
  const record = (status: 'ok' | 'error', reachedProvider: boolean): void => {
    if (recorded) return;
    recorded = true;
    deps.usage.record({
      requestId: context.requestId,
      tenantId: context.key.tenantId,
      apiKeyId: context.key.apiKeyId,
      model: chatRequest.model,
      provider: route.adapter.name,
      // A provider that failed before answering billed nothing.
      promptTokens: reachedProvider ? (tally.promptTokens ?? countPromptTokens(chatRequest)) : 0,
      completionTokens: reachedProvider ? (tally.completionTokens ?? estimateCompletionTokens(tally.content)) : 0,
      latencyMs: Date.now() - context.startedAt,
      status,
      completedAt: new Date(),
    });
  };

  let iterator: AsyncIterator<CompletionEvent>;
  let first: IteratorResult<CompletionEvent>;
  try {
    const call = await route.adapter.start(chatRequest, abort.signal);
    iterator = call.events[Symbol.asyncIterator]();
    // Wait for the first event before committing to a 200: a provider that fails this early
    // still gets a clean error status (and could be failed over) instead of a broken stream.
    first = await iterator.next();
  } catch (error) {
    record('error', false);
    deps.logger.warn({ err: error, requestId: context.requestId, provider: route.adapter.name }, 'provider failed before the first byte');
    throw upstreamToApiError(error);
  }

  if (chatRequest.stream) {
    await streamAnswer(deps, chatRequest, identity, iterator, first, tally, record, response, context);
  } else {
    await completeAnswer(deps, chatRequest, identity, iterator, first, tally, record, response, context);
  }
}

type Tally = { content: string; promptTokens: number | undefined; completionTokens: number | undefined };

function apply(event: CompletionEvent, tally: Tally): FinishReason | undefined {
  if (event.type === 'delta') tally.content += event.content;
  if (event.type === 'usage') {
    tally.promptTokens = event.promptTokens;
    tally.completionTokens = event.completionTokens;
  }
  return event.type === 'finish' ? event.finishReason : undefined;
}

/** Runs `fn` once the response is closed (flushed or the client gone), even if that already happened. */
function afterResponse(response: ServerResponse, fn: () => void): void {
  if (response.closed) fn();
  else response.once('close', fn);
}

async function completeAnswer(
  deps: ChatCompletionsDeps,
  chatRequest: ChatCompletionRequest,
  identity: CompletionIdentity,
  iterator: AsyncIterator<CompletionEvent>,
  first: IteratorResult<CompletionEvent>,
  tally: Tally,
  record: (status: 'ok' | 'error', reachedProvider: boolean) => void,
  response: ServerResponse,
  context: RequestContext,
): Promise<void> {
  let finishReason: FinishReason = 'stop';
  try {
    for (let step = first; !step.done; step = await iterator.next()) finishReason = apply(step.value, tally) ?? finishReason;
  } catch (error) {
    record('error', true);
    deps.logger.warn({ err: error, requestId: context.requestId }, 'provider failed mid-answer');
    throw upstreamToApiError(error);
  }
  const promptTokens = tally.promptTokens ?? countPromptTokens(chatRequest);
  const completionTokens = tally.completionTokens ?? estimateCompletionTokens(tally.content);
  sendJson(response, 200, chatCompletion(identity, tally.content, finishReason, usageOf(promptTokens, completionTokens)));
  afterResponse(response, () => record('ok', true));
}

async function streamAnswer(
  deps: ChatCompletionsDeps,
  chatRequest: ChatCompletionRequest,
  identity: CompletionIdentity,
  iterator: AsyncIterator<CompletionEvent>,
  first: IteratorResult<CompletionEvent>,
  tally: Tally,
  record: (status: 'ok' | 'error', reachedProvider: boolean) => void,
  response: ServerResponse,
  context: RequestContext,
): Promise<void> {
  const includeUsage = chatRequest.stream_options?.include_usage === true;
  startEventStream(response);
  const write = async (text: string): Promise<void> => {
    if (response.destroyed) throw new Error('client disconnected');
    // Respect backpressure from slow clients instead of buffering the whole answer.
    if (!response.write(text)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      });
    }
  };

  let finishReason: FinishReason = 'stop';
  try {
    await write(sseData(chatCompletionChunk(identity, { role: 'assistant', content: '' }, null, includeUsage)));
    for (let step = first; !step.done; step = await iterator.next()) {
      const event = step.value;
      finishReason = apply(event, tally) ?? finishReason;
      if (event.type === 'delta') await write(sseData(chatCompletionChunk(identity, { content: event.content }, null, includeUsage)));
    }
    await write(sseData(chatCompletionChunk(identity, {}, finishReason, includeUsage)));
    if (includeUsage) {
      const promptTokens = tally.promptTokens ?? countPromptTokens(chatRequest);
      const completionTokens = tally.completionTokens ?? estimateCompletionTokens(tally.content);
      await write(sseData(usageChunk(identity, usageOf(promptTokens, completionTokens))));
    }
  } catch (error) {
    record('error', true);
    await iterator.return?.().catch(() => undefined);
    if (response.destroyed) {
      deps.logger.info({ requestId: context.requestId }, 'client disconnected mid-stream');
      return;
    }
    deps.logger.warn({ err: error, requestId: context.requestId }, 'provider failed mid-stream');
    // Headers are out: the failure becomes a final error event, and there is no [DONE].
    response.end(sseData(upstreamToApiError(error).toBody()));
    return;
  }
  response.end(SSE_DONE);
  afterResponse(response, () => record('ok', true));
}
