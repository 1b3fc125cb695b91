import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { countPromptTokens, estimateCompletionTokens } from '../accounting/token-count';
import { foldToolCall, type CompletionEvent, type FinishReason, type ToolCall } from '../domain/completion-event';
import type { InferenceRequest } from '../domain/inference-request';
import { sendJson, startEventStream } from '../http/respond';
import type { WinningLeg } from '../router/execute';
import type { Delivery } from '../router/router';
import type { Metrics } from '../telemetry/metrics';
import { startStep } from '../telemetry/steps';
import {
  chatCompletion,
  chatCompletionChunk,
  contentChunkEncoder,
  sseData,
  SSE_DONE,
  usageChunk,
  usageOf,
  type CompletionIdentity,
} from './chat-completion-response';
import { upstreamToApiError } from './upstream-failure';

export interface AnswerContext {
  requestId: string;
  /** The response's `id` and `created`: fixed per request, whichever upstream answers. */
  completionId: string;
  created: number;
  /** A plain model is answered under the name the client sent; a route under the model that served. */
  configuredRoute: boolean;
}

/**
 * Hands one winning leg's events to the client in OpenAI's wire format: a stream of chunks, or
 * one buffered chat completion. Reports how it went to the router, which fails over when the
 * provider failed before anything was sent (`retryable`): only a buffered answer can.
 */
export async function deliverAnswer(
  deps: { metrics: Metrics; logger: Logger },
  context: AnswerContext,
  request: InferenceRequest,
  winner: WinningLeg,
  response: ServerResponse,
): Promise<Delivery> {
  const identity: CompletionIdentity = {
    id: context.completionId,
    created: context.created,
    // Like OpenAI's aliases: the answer names the model that actually served it.
    model: context.configuredRoute ? winner.upstream.model : request.model,
  };
  const aggregation = startStep(deps.metrics, 'aggregation', { 'switchyard.upstream': winner.upstream.key });
  const delivery = request.stream
    ? await streamAnswer(deps.logger, context.requestId, request, identity, winner, response)
    : await completeAnswer(request, identity, winner, response);
  aggregation.end(delivery.outcome === 'failed' ? new Error('upstream failed mid-answer') : undefined);
  return delivery;
}

type Tally = { content: string; toolCalls: ToolCall[]; promptTokens: number | undefined; completionTokens: number | undefined };

function apply(event: CompletionEvent, tally: Tally): FinishReason | undefined {
  if (event.type === 'delta') tally.content += event.content;
  if (event.type === 'tool_call') foldToolCall(tally.toolCalls, event);
  if (event.type === 'usage') {
    tally.promptTokens = event.promptTokens;
    tally.completionTokens = event.completionTokens;
  }
  return event.type === 'finish' ? event.finishReason : undefined;
}

/** The leg's tokens: as the provider reported them, else estimated from the prompt and what it sent. */
function delivered(outcome: Delivery['outcome'], tally: Tally, request: InferenceRequest, error?: { error: unknown; retryable: boolean }): Delivery {
  const promptTokens = tally.promptTokens ?? countPromptTokens(request);
  const completionTokens = tally.completionTokens ?? estimateCompletionTokens(tally.content);
  const answer = { text: tally.content, toolCalls: tally.toolCalls.filter((call) => call !== undefined) };
  return error ? { outcome, error: error.error, retryable: error.retryable, promptTokens, completionTokens, ...answer } : { outcome, promptTokens, completionTokens, ...answer };
}

/** Buffers the whole answer, then sends it; a failure sends nothing, so the router may fail over. */
async function completeAnswer(request: InferenceRequest, identity: CompletionIdentity, winner: WinningLeg, response: ServerResponse): Promise<Delivery> {
  const { iterator } = winner;
  const tally: Tally = { content: '', toolCalls: [], promptTokens: undefined, completionTokens: undefined };
  let finishReason: FinishReason = 'stop';
  try {
    for (let step = winner.first; !step.done; step = await iterator.next()) finishReason = apply(step.value, tally) ?? finishReason;
  } catch (error) {
    await iterator.return?.().catch(() => undefined);
    if (response.destroyed) return delivered('cancelled', tally, request);
    return delivered('failed', tally, request, { error, retryable: true });
  }
  const answer = delivered('ok', tally, request);
  sendJson(response, 200, chatCompletion(identity, tally.content, finishReason, usageOf(answer.promptTokens, answer.completionTokens), tally.toolCalls));
  return answer;
}

async function streamAnswer(
  logger: Logger,
  requestId: string,
  request: InferenceRequest,
  identity: CompletionIdentity,
  winner: WinningLeg,
  response: ServerResponse,
): Promise<Delivery> {
  const { iterator } = winner;
  const tally: Tally = { content: '', toolCalls: [], promptTokens: undefined, completionTokens: undefined };
  const includeUsage = request.streamUsage === true;
  startEventStream(response, 'with-first-frame');
  // Returns a promise only when the client pushes back, so an unhurried stream costs no promise per chunk.
  const write = (text: string): Promise<void> | undefined => {
    if (response.destroyed) throw new Error('client disconnected');
    // Respect backpressure from slow clients instead of buffering the whole answer.
    if (!response.write(text)) {
      return new Promise<void>((resolve) => {
        const done = (): void => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      });
    }
    return undefined;
  };
  const contentChunk = contentChunkEncoder(identity, includeUsage);

  let finishReason: FinishReason = 'stop';
  let answer: Delivery | undefined;
  try {
    await write(sseData(chatCompletionChunk(identity, { role: 'assistant', content: '' }, null, includeUsage)));
    for (let step = winner.first; !step.done; step = await iterator.next()) {
      const event = step.value;
      finishReason = apply(event, tally) ?? finishReason;
      if (event.type === 'delta') {
        const pushedBack = write(contentChunk(event.content));
        if (pushedBack) await pushedBack;
      } else if (event.type === 'tool_call') {
        const fragment = { index: event.index, ...(event.id ? { id: event.id, type: 'function' as const } : {}), function: { ...(event.name ? { name: event.name } : {}), arguments: event.arguments } };
        const pushedBack = write(sseData(chatCompletionChunk(identity, { tool_calls: [fragment] }, null, includeUsage)));
        if (pushedBack) await pushedBack;
      }
    }
    await write(sseData(chatCompletionChunk(identity, {}, finishReason, includeUsage)));
    answer = delivered('ok', tally, request);
    if (includeUsage) await write(sseData(usageChunk(identity, usageOf(answer.promptTokens, answer.completionTokens))));
  } catch (error) {
    await iterator.return?.().catch(() => undefined);
    if (response.destroyed) {
      logger.info({ requestId }, 'client disconnected mid-stream');
      return delivered('cancelled', tally, request);
    }
    logger.warn({ err: error, requestId }, 'provider failed mid-stream');
    // Headers are out: the failure becomes a final error event, and there is no [DONE].
    response.end(sseData(upstreamToApiError(error).toBody()));
    return delivered('failed', tally, request, { error, retryable: false });
  }
  response.end(SSE_DONE);
  return answer;
}
