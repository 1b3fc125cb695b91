import type { ServerResponse } from 'node:http';
import { trimWindow, type SessionWindow, type SessionWindowLimits, type StoredResponse } from '@switchyard/memory/session';
import { messageText, type InferenceMessage } from '../../domain/inference-request';
import { ApiError } from '../../errors';
import { sendJson } from '../../http/respond';
import type { WinningLeg } from '../../router/execute';
import type { Delivery } from '../../router/router';
import { startStep } from '../../telemetry/steps';
import { collectAnswer, streamAnswer, type AnswerTally } from '../answer-stream';
import type { AnswerContext } from '../chat-completion-answer';
import { sessionOf, turnsOf, type AdmittedCall, type CallSurface, type RequestContext } from '../chat-completions-handler';
import { memoryFailure } from '../memory-step';
import { answerTurn, messageOf, turnOf } from '../session-turns';
import { upstreamToApiError } from '../upstream-failure';
import { parseResponsesRequest, RESPONSE_ID_PATTERN, toInferenceRequest, type ResponsesRequest } from './responses-request';
import { responseEventEncoder, responseObject, statusOf, type ResponseShape } from './responses-wire';

/** What the Responses API keeps beside the data plane's request until it answers. */
export interface ResponsesExtra {
  wire: ResponsesRequest;
  /** The stored response this one continues. */
  previous: StoredResponse | null;
}

export interface ResponsesSurfaceOptions {
  memory: SessionWindow;
  /** The window's limits: a stored response's context is trimmed to them; the tenant quota is checked before the call. */
  limits: SessionWindowLimits;
  /** A response answered but not stored (quota raced, store unreachable): the answer says `store: false`. */
  onNotStored?: (error: unknown, requestId: string) => void;
}

/** A response id we generate: `resp_` + the request id's 32 hex digits (never the client's x-request-id, which could collide). */
export function responseIdOf(requestId: string): string {
  return `resp_${requestId.replaceAll('-', '').toLowerCase()}`;
}

/**
 * POST /v1/responses on the governed call path. `previous_response_id` is looked up in the
 * caller's tenant only (another tenant's id is 404 `response_not_found`, never 403), and its
 * stored context (redacted when it was stored) comes before the new input. With `store` (the
 * default) the answer is stored before its last byte is sent, so a client that sees the response
 * can continue it at once, through any replica.
 */
export function createResponsesSurface(options: ResponsesSurfaceOptions): CallSurface<ResponsesExtra> {
  const { memory, limits } = options;

  async function store(context: RequestContext, call: AdmittedCall<ResponsesExtra>, shape: ResponseShape, tally: AnswerTally, delivery: Delivery): Promise<boolean> {
    if (!shape.store) return false;
    const { wire, previous } = call.extra;
    const instructionsAt = wire.instructions ? 1 : 0;
    const conversation = call.request.messages.slice(instructionsAt).map(turnOf);
    const stored: StoredResponse = {
      id: shape.id,
      sessionId: call.sessionId ?? shape.id,
      previousResponseId: previous?.id ?? null,
      createdAt: shape.createdAt,
      model: shape.model,
      instructions: call.request.messages[0]?.role === 'system' && wire.instructions ? messageText(call.request.messages[0]) : null,
      status: statusOf(tally.finishReason),
      input: turnsOf(call, delivery).slice(0, -1),
      outputText: tally.text,
      usage: { inputTokens: delivery.promptTokens, outputTokens: delivery.completionTokens },
      context: trimWindow([...conversation, answerTurn(tally.text, tally.toolCalls)], limits),
      metadata: wire.metadata ?? null,
    };
    try {
      // A memory_io span of its own (the instrumented window), child of the aggregation step.
      await memory.putResponse(context.key.tenantId, stored);
      return true;
    } catch (error) {
      options.onNotStored?.(error, context.requestId);
      return false;
    }
  }

  return {
    operation: 'responses',
    answerId: ({ requestId }) => responseIdOf(requestId),
    async parse(body, { tenantId, headers }) {
      const wire = parseResponsesRequest(body);
      let previous: StoredResponse | null = null;
      if (wire.previous_response_id != null) {
        const id = wire.previous_response_id;
        previous = RESPONSE_ID_PATTERN.test(id) ? await memory.getResponse(tenantId, id).catch(memoryFailure) : null;
        if (!previous) {
          throw new ApiError('response_not_found', { param: 'previous_response_id', message: `No stored response '${id.slice(0, 64)}' exists for this tenant (never stored, deleted, expired, or another tenant's).` });
        }
      }
      const context: InferenceMessage[] = (previous?.context ?? []).map(messageOf);
      const request = toInferenceRequest(wire, context);
      const start = (wire.instructions ? 1 : 0) + context.length;
      return {
        request,
        ownInput: { start, end: request.messages.length },
        sessionId: previous?.sessionId ?? sessionOf(headers),
        carriesContext: previous !== null,
        extra: { wire, previous },
      };
    },
    async preflight(call, tenantId) {
      if (call.extra.wire.store === false) return;
      // Refused before any token is spent; the store itself enforces the quota exactly (a race past this check answers `store: false`).
      const usage = await memory.usage(tenantId).catch(memoryFailure);
      if (usage.responses >= limits.maxResponsesPerTenant || usage.bytes >= limits.maxBytesPerTenant) {
        memoryFailure(new ApiError('response_storage_quota_exceeded', {
          message: `This tenant stores ${usage.responses} responses (${usage.bytes} bytes), its quota (${limits.maxResponsesPerTenant} responses, ${limits.maxBytesPerTenant} bytes). Delete stored responses with DELETE /v1/responses/{id} or send \`store: false\`.`,
        }));
      }
    },
    async deliver(deps, answer: AnswerContext, call, winner: WinningLeg, response: ServerResponse, context) {
      const { wire, previous } = call.extra;
      const shape: ResponseShape = {
        id: answer.completionId,
        createdAt: answer.created,
        model: answer.configuredRoute ? winner.upstream.model : call.request.model,
        instructions: wire.instructions ?? null,
        previousResponseId: previous?.id ?? null,
        store: wire.store !== false,
        maxOutputTokens: wire.max_output_tokens ?? null,
        temperature: wire.temperature ?? null,
        topP: wire.top_p ?? null,
        user: wire.user ?? null,
        metadata: wire.metadata ?? null,
        tools: (wire.tools ?? []).map((tool) => ({ name: tool.name, ...(tool.description != null ? { description: tool.description } : {}), ...(tool.parameters != null ? { parameters: tool.parameters } : {}), ...(tool.strict != null ? { strict: tool.strict } : {}) })),
        toolChoice: wire.tool_choice ?? 'auto',
      };
      const aggregation = startStep(deps.metrics, 'aggregation', { 'switchyard.upstream': winner.upstream.key });
      let delivery: Delivery;
      if (call.request.stream) {
        const encoder = responseEventEncoder(shape);
        delivery = await streamAnswer(deps.logger, context.requestId, call.request, winner, response, {
          open: () => encoder.open(),
          delta: (content) => encoder.delta(content),
          async close(tally, done) {
            const stored = await store(context, call, shape, tally, done);
            shape.store = stored;
            return encoder.close({ status: statusOf(tally.finishReason), text: tally.text, toolCalls: tally.toolCalls, finishReason: tally.finishReason, usage: { inputTokens: done.promptTokens, outputTokens: done.completionTokens } });
          },
          fail: (error) => encoder.fail(upstreamToApiError(error)),
        });
      } else {
        const collected = await collectAnswer(winner, call.request, response);
        delivery = collected.delivery;
        if (delivery.outcome === 'ok') {
          const { tally } = collected;
          shape.store = await store(context, call, shape, tally, delivery);
          sendJson(response, 200, responseObject(shape, { status: statusOf(tally.finishReason), text: tally.text, toolCalls: tally.toolCalls, finishReason: tally.finishReason, usage: { inputTokens: delivery.promptTokens, outputTokens: delivery.completionTokens } }));
        }
      }
      aggregation.end(delivery.outcome === 'failed' ? new Error('upstream failed mid-answer') : undefined);
      return delivery;
    },
  };
}
