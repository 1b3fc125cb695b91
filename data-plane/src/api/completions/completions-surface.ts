import { z } from 'zod';
import type { InferenceRequest } from '../../domain/inference-request';
import { ApiError } from '../../errors';
import { sendJson } from '../../http/respond';
import type { Delivery } from '../../router/router';
import { startStep } from '../../telemetry/steps';
import { collectAnswer, streamAnswer } from '../answer-stream';
import { formatIssuePath } from '../chat-completion-request';
import { sseData, SSE_DONE, usageOf } from '../chat-completion-response';
import { sessionOf, type CallSurface } from '../chat-completions-handler';
import { upstreamToApiError } from '../upstream-failure';

/**
 * POST /v1/completions, OpenAI's legacy text completions, on the governed call path: the prompt
 * is one user message to whichever provider serves the model. One prompt and one choice per
 * request; options that would need token-level access to the model (`echo`, `logprobs`,
 * `suffix`, `best_of` > 1) are refused naming the field rather than silently ignored.
 */
const completionsRequestSchema = z.object({
  model: z.string().min(1).max(256),
  prompt: z.union([z.string(), z.array(z.string()).length(1, 'send one prompt per request')]),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  max_tokens: z.number().int().positive().nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  n: z.number().int().min(1).max(1, 'n > 1 is not supported; send one request per completion').nullable().optional(),
  best_of: z.number().int().min(1).max(1, 'best_of > 1 is not supported').nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  user: z.string().max(256).optional(),
  echo: z.literal(false, 'echo is not supported').nullable().optional(),
  logprobs: z.null('logprobs are not supported').optional(),
  suffix: z.null('suffix is not supported').optional(),
});

export type CompletionsRequest = z.infer<typeof completionsRequestSchema>;

export function parseCompletionsRequest(body: unknown): CompletionsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError('invalid_request', { message: 'The request body must be a JSON object.' });
  const parsed = completionsRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue ? formatIssuePath(issue.path) : undefined;
  const detail = issue ? issue.message : 'invalid request';
  throw new ApiError('invalid_request', { param, message: param ? `Invalid value for '${param}': ${detail}` : detail });
}

export function toInferenceRequest(wire: CompletionsRequest): InferenceRequest {
  const stream = wire.stream === true;
  const prompt = typeof wire.prompt === 'string' ? wire.prompt : wire.prompt[0]!;
  return {
    model: wire.model,
    messages: [{ role: 'user', content: prompt }],
    stream,
    streamUsage: stream && wire.stream_options?.include_usage === true,
    maxOutputTokens: wire.max_tokens ?? undefined,
    temperature: wire.temperature ?? undefined,
    topP: wire.top_p ?? undefined,
    stopSequences: wire.stop == null ? undefined : typeof wire.stop === 'string' ? [wire.stop] : wire.stop,
    presencePenalty: wire.presence_penalty ?? undefined,
    frequencyPenalty: wire.frequency_penalty ?? undefined,
    seed: wire.seed ?? undefined,
    endUserId: wire.user,
  };
}

interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

function textCompletion(identity: CompletionIdentity, text: string, finishReason: string | null, usage?: ReturnType<typeof usageOf>) {
  return {
    id: identity.id,
    object: 'text_completion' as const,
    created: identity.created,
    model: identity.model,
    choices: [{ text, index: 0, logprobs: null, finish_reason: finishReason }],
    ...(usage ? { usage } : {}),
  };
}

export const COMPLETIONS_SURFACE: CallSurface<undefined> = {
  operation: 'text_completion',
  answerId: ({ requestId, clientRequestId }) => `cmpl-${clientRequestId ?? requestId}`,
  parse(body, { headers }) {
    const request = toInferenceRequest(parseCompletionsRequest(body));
    return { request, ownInput: { start: 0, end: 1 }, sessionId: sessionOf(headers), extra: undefined };
  },
  async deliver(deps, answer, call, winner, response, context) {
    const identity = { id: answer.completionId, created: answer.created, model: answer.configuredRoute ? winner.upstream.model : call.request.model };
    const aggregation = startStep(deps.metrics, 'aggregation', { 'switchyard.upstream': winner.upstream.key });
    let delivery: Delivery;
    if (call.request.stream) {
      delivery = await streamAnswer(deps.logger, context.requestId, call.request, winner, response, {
        open: () => '',
        delta: (content) => sseData(textCompletion(identity, content, null)),
        close(tally, done) {
          const last = sseData(textCompletion(identity, '', tally.finishReason));
          // As OpenAI: with include_usage, one more chunk with no choices and the usage.
          const usage = call.request.streamUsage ? sseData({ ...textCompletion(identity, '', null), choices: [], usage: usageOf(done.promptTokens, done.completionTokens) }) : '';
          return last + usage + SSE_DONE;
        },
        fail: (error) => sseData(upstreamToApiError(error).toBody()),
      });
    } else {
      const collected = await collectAnswer(winner, call.request, response);
      delivery = collected.delivery;
      if (delivery.outcome === 'ok') sendJson(response, 200, textCompletion(identity, collected.tally.text, collected.tally.finishReason, usageOf(delivery.promptTokens, delivery.completionTokens)));
    }
    aggregation.end(delivery.outcome === 'failed' ? new Error('upstream failed mid-answer') : undefined);
    return delivery;
  },
};
