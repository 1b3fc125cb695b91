import type { CompletionEvent, FinishReason } from '../../domain/completion-event';
import { UpstreamError } from '../adapter';

/** One `data:` event of an OpenAI-compatible stream, as far as the gateway reads it. */
export interface UpstreamToolCallDelta {
  index: number;
  id?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

export interface UpstreamChunk {
  choices?: ReadonlyArray<{ delta?: { content?: string | null; tool_calls?: ReadonlyArray<UpstreamToolCallDelta> | null } | null; finish_reason?: string | null }>;
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  error?: { message?: string };
}

const FINISH_REASONS = new Set<string>(['stop', 'length', 'content_filter', 'tool_calls']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isOptionalText = (value: unknown): boolean => value === undefined || value === null || typeof value === 'string';

/** At most this many tool calls per answer: an index past it is a malformed chunk, not an allocation. */
const MAX_TOOL_CALLS = 128;

function isToolCallDelta(value: unknown): boolean {
  if (!isObject(value) || !(typeof value.index === 'number' && Number.isSafeInteger(value.index) && value.index >= 0 && value.index < MAX_TOOL_CALLS)) return false;
  if (!isOptionalText(value.id)) return false;
  const fn = value.function;
  return fn === undefined || fn === null || (isObject(fn) && isOptionalText(fn.name) && isOptionalText(fn.arguments));
}

function isChoice(value: unknown): boolean {
  if (!isObject(value)) return false;
  const delta = value.delta;
  if (delta !== undefined && delta !== null) {
    if (!(isObject(delta) && isOptionalText(delta.content))) return false;
    const calls = delta.tool_calls;
    if (calls !== undefined && calls !== null && !(Array.isArray(calls) && calls.every(isToolCallDelta))) return false;
  }
  return isOptionalText(value.finish_reason);
}

/**
 * The upstream's chunk is untrusted input, checked on every chunk of every answer: a plain type
 * guard (it accepts exactly what the former zod schema accepted, see upstream-chunk.test.ts)
 * instead of a schema parse that copies the object.
 */
export function isUpstreamChunk(value: unknown): value is UpstreamChunk {
  if (!isObject(value)) return false;
  const { choices, usage, error } = value;
  if (choices !== undefined && !(Array.isArray(choices) && choices.every(isChoice))) return false;
  if (usage !== undefined && usage !== null && !(isObject(usage) && isCount(usage.prompt_tokens) && isCount(usage.completion_tokens))) return false;
  return error === undefined || (isObject(error) && (error.message === undefined || typeof error.message === 'string'));
}

/**
 * The adapter events one `data:` payload carries, appended to `into` (the stream's queue: no
 * generator or array per chunk on the relay's path); an UpstreamError, with nothing appended, for
 * anything malformed.
 */
export function chunkEvents(data: string, into: CompletionEvent[] = []): CompletionEvent[] {
  let chunk: unknown;
  try {
    chunk = JSON.parse(data);
  } catch {
    throw new UpstreamError('upstream_error', 'upstream sent an event that is not valid JSON');
  }
  if (!isUpstreamChunk(chunk)) throw new UpstreamError('upstream_error', 'upstream sent a chunk in an unexpected shape');
  if (chunk.error) throw new UpstreamError('upstream_error', `upstream error: ${chunk.error.message ?? 'unknown'}`);
  for (const choice of chunk.choices ?? []) {
    const content = choice.delta?.content;
    if (content) into.push({ type: 'delta', content });
    for (const call of choice.delta?.tool_calls ?? []) {
      into.push({
        type: 'tool_call',
        index: call.index,
        ...(call.id ? { id: call.id } : {}),
        ...(call.function?.name ? { name: call.function.name } : {}),
        arguments: call.function?.arguments ?? '',
      });
    }
    if (choice.finish_reason) {
      const reason = FINISH_REASONS.has(choice.finish_reason) ? (choice.finish_reason as FinishReason) : 'stop';
      into.push({ type: 'finish', finishReason: reason });
    }
  }
  if (chunk.usage) into.push({ type: 'usage', promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens });
  return into;
}
