import type { StoredResponse } from '@switchyard/memory/session';
import type { FinishReason, ToolCall } from '../../domain/completion-event';
import type { ApiError } from '../../errors';

/**
 * OpenAI's Responses API wire shapes (the `Response` object and its streaming events), built in
 * one place. Keys are always present, in OpenAI's order, so clients that check for `null` work.
 */
export interface ResponseShape {
  id: string;
  createdAt: number;
  model: string;
  instructions: string | null;
  previousResponseId: string | null;
  store: boolean;
  maxOutputTokens: number | null;
  temperature: number | null;
  topP: number | null;
  user: string | null;
  metadata: Record<string, string> | null;
  tools: readonly { name: string; description?: string; parameters?: Readonly<Record<string, unknown>>; strict?: boolean }[];
  toolChoice: unknown;
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export interface ResponseOutcome {
  status: ResponseStatus;
  text: string;
  /** The function calls the model made: `function_call` output items after the message. */
  toolCalls?: readonly ToolCall[];
  /** Keep the (empty) message item even when the model only called tools (a stream already opened it). */
  keepMessage?: boolean;
  finishReason?: FinishReason;
  usage?: { inputTokens: number; outputTokens: number };
}

function functionCallItem(responseId: string, index: number, call: ToolCall, status: 'in_progress' | 'completed') {
  return {
    type: 'function_call' as const,
    id: `fc_${responseId.slice('resp_'.length)}_${index}`,
    call_id: call.id,
    name: call.name,
    arguments: status === 'completed' ? call.arguments : '',
    status,
  };
}

function outputOf(id: string, outcome: ResponseOutcome) {
  if (outcome.status === 'in_progress') return [];
  const calls = (outcome.toolCalls ?? []).filter((call) => call !== undefined);
  const message = outputMessage(id, outcome.text, outcome.status === 'incomplete' ? 'incomplete' : 'completed');
  const withMessage = outcome.text !== '' || calls.length === 0 || outcome.keepMessage === true;
  return [...(withMessage ? [message] : []), ...calls.map((call, index) => functionCallItem(id, index, call, 'completed'))];
}

/** The assistant message's id: fixed per response, derived from it. */
export function messageIdOf(responseId: string): string {
  return `msg_${responseId.slice('resp_'.length)}`;
}

function outputMessage(responseId: string, text: string, status: 'in_progress' | 'completed' | 'incomplete') {
  return {
    id: messageIdOf(responseId),
    type: 'message' as const,
    status,
    role: 'assistant' as const,
    content: status === 'in_progress' ? [] : [outputText(text)],
  };
}

function outputText(text: string) {
  return { type: 'output_text' as const, text, annotations: [] as never[] };
}

function usageOf(usage: { inputTokens: number; outputTokens: number }) {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

export function responseObject(shape: ResponseShape, outcome: ResponseOutcome) {
  const incomplete = outcome.status === 'incomplete';
  return {
    id: shape.id,
    object: 'response' as const,
    created_at: shape.createdAt,
    status: outcome.status,
    error: null,
    incomplete_details: incomplete ? { reason: outcome.finishReason === 'content_filter' ? 'content_filter' : 'max_output_tokens' } : null,
    instructions: shape.instructions,
    max_output_tokens: shape.maxOutputTokens,
    model: shape.model,
    output: outputOf(shape.id, outcome),
    parallel_tool_calls: true,
    previous_response_id: shape.previousResponseId,
    reasoning: { effort: null, summary: null },
    store: shape.store,
    temperature: shape.temperature,
    text: { format: { type: 'text' as const } },
    tool_choice: shape.toolChoice ?? 'auto',
    tools: shape.tools.map((tool) => ({ type: 'function' as const, name: tool.name, description: tool.description ?? null, parameters: tool.parameters ?? null, strict: tool.strict ?? null })),
    top_p: shape.topP,
    truncation: 'disabled' as const,
    usage: outcome.usage ? usageOf(outcome.usage) : null,
    user: shape.user,
    metadata: shape.metadata ?? {},
  };
}

/** A finish reason as the Responses API's status: cut short by the output limit or a filter is `incomplete`. */
export function statusOf(finishReason: FinishReason): 'completed' | 'incomplete' {
  return finishReason === 'length' || finishReason === 'content_filter' ? 'incomplete' : 'completed';
}

/** What GET /v1/responses/{id} shows for a stored response. */
export function storedResponseObject(stored: StoredResponse, extra: Pick<ResponseShape, 'maxOutputTokens' | 'temperature' | 'topP' | 'user' | 'tools' | 'toolChoice'>) {
  return responseObject(
    { id: stored.id, createdAt: stored.createdAt, model: stored.model, instructions: stored.instructions, previousResponseId: stored.previousResponseId, store: true, metadata: stored.metadata ? { ...stored.metadata } : null, ...extra },
    { status: stored.status, text: stored.outputText, usage: stored.usage },
  );
}

/**
 * The stream's events with their sequence numbers, as server-sent events named by their type
 * (`event: response.output_text.delta`), as OpenAI sends them; no `[DONE]` at the end.
 */
export function responseEventEncoder(shape: ResponseShape) {
  let sequence = 0;
  const itemId = messageIdOf(shape.id);
  const frame = (type: string, fields: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`;
  // Every delta frame but its text is the same: serialised once per stream.
  return {
    open(): string {
      const inProgress = responseObject(shape, { status: 'in_progress', text: '' });
      return (
        frame('response.created', { response: inProgress }) +
        frame('response.in_progress', { response: inProgress }) +
        frame('response.output_item.added', { output_index: 0, item: outputMessage(shape.id, '', 'in_progress') }) +
        frame('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part: outputText('') })
      );
    },
    delta(content: string): string {
      return frame('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta: content, logprobs: [] });
    },
    close(outcome: ResponseOutcome & { status: 'completed' | 'incomplete' }): string {
      const final = responseObject(shape, { ...outcome, keepMessage: true });
      let frames =
        frame('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text: outcome.text, logprobs: [] }) +
        frame('response.content_part.done', { item_id: itemId, output_index: 0, content_index: 0, part: outputText(outcome.text) }) +
        frame('response.output_item.done', { output_index: 0, item: final.output[0] });
      // Function calls follow the message, each whole (its arguments in one done event).
      const calls = (outcome.toolCalls ?? []).filter((call) => call !== undefined);
      calls.forEach((call, index) => {
        const outputIndex = index + 1;
        const done = functionCallItem(shape.id, index, call, 'completed');
        frames +=
          frame('response.output_item.added', { output_index: outputIndex, item: functionCallItem(shape.id, index, call, 'in_progress') }) +
          frame('response.function_call_arguments.done', { item_id: done.id, output_index: outputIndex, name: call.name, arguments: call.arguments }) +
          frame('response.output_item.done', { output_index: outputIndex, item: done });
      });
      return frames + frame(outcome.status === 'completed' ? 'response.completed' : 'response.incomplete', { response: final });
    },
    /** A provider failure after the first byte: OpenAI's `error` event (the SDK raises it as an APIError), then `response.failed`. */
    fail(error: ApiError): string {
      const failed = { ...responseObject(shape, { status: 'failed', text: '' }), error: { code: error.code, message: error.message } };
      return frame('error', { code: error.code, message: error.message, param: error.param }) + frame('response.failed', { response: failed });
    },
  };
}
