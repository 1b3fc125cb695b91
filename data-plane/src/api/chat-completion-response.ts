import type { FinishReason, ToolCall } from '../domain/completion-event';

/**
 * OpenAI wire shapes for chat completions, built in one place so the gateway and the mock
 * server emit byte-compatible objects. Keys are always present in the same order (stable
 * hidden classes, and clients that check for `null` rather than absence keep working).
 */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

/** OpenAI's tool_calls of an assistant message. */
export function wireToolCalls(calls: readonly ToolCall[]) {
  return calls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } }));
}

export function chatCompletion(identity: CompletionIdentity, content: string, finishReason: FinishReason, usage: Usage, toolCalls: readonly ToolCall[] = []) {
  const calls = toolCalls.filter((call) => call !== undefined);
  return {
    id: identity.id,
    object: 'chat.completion' as const,
    created: identity.created,
    model: identity.model,
    choices: [
      {
        index: 0,
        // As OpenAI: a message that only calls tools has null content.
        message: calls.length > 0 ? { role: 'assistant' as const, content: content === '' ? null : content, refusal: null, tool_calls: wireToolCalls(calls) } : { role: 'assistant' as const, content, refusal: null },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage,
    system_fingerprint: null,
  };
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string;
  tool_calls?: Array<{ index: number; id?: string; type?: 'function'; function: { name?: string; arguments: string } }>;
}

/** `usage` is `null` on every chunk when the client asked for usage (it arrives in a final chunk), absent otherwise. */
export function chatCompletionChunk(
  identity: CompletionIdentity,
  delta: ChunkDelta,
  finishReason: FinishReason | null,
  includeUsage: boolean,
) {
  return {
    id: identity.id,
    object: 'chat.completion.chunk' as const,
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  };
}

/**
 * `sseData(chatCompletionChunk(identity, { content }, null, includeUsage))` for one stream, byte
 * for byte, with everything but the content serialised once: a stream's content chunks differ
 * only in their text, so each one costs one JSON string escape instead of a whole object.
 */
export function contentChunkEncoder(identity: CompletionIdentity, includeUsage: boolean): (content: string) => string {
  const template = sseData(chatCompletionChunk(identity, { content: '' }, null, includeUsage));
  // Quotes inside JSON string values are escaped, so an unescaped `"content":""` is the delta's own.
  const slot = '"content":""';
  const at = template.indexOf(slot);
  const prefix = template.slice(0, at + slot.length - 2);
  const suffix = template.slice(at + slot.length);
  return (content) => prefix + JSON.stringify(content) + suffix;
}

/** The extra final chunk OpenAI sends with `stream_options.include_usage`: no choices, just usage. */
export function usageChunk(identity: CompletionIdentity, usage: Usage) {
  return {
    id: identity.id,
    object: 'chat.completion.chunk' as const,
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: [],
    usage,
  };
}

export function sseData(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

export const SSE_DONE = 'data: [DONE]\n\n';

export function modelList(models: readonly { id: string; ownedBy: string }[], created: number) {
  return {
    object: 'list' as const,
    data: models.map((m) => ({ id: m.id, object: 'model' as const, created, owned_by: m.ownedBy })),
  };
}

export function modelObject(model: { id: string; ownedBy: string }, created: number) {
  return { id: model.id, object: 'model' as const, created, owned_by: model.ownedBy };
}
