import type { CompletionEvent, FinishReason } from '../../domain/completion-event';
import { UpstreamError } from '../adapter';

/**
 * A non-streaming OpenAI-compatible answer (`chat.completion`), as far as the gateway reads it,
 * turned into the same adapter events a stream of it would have produced: the message's content
 * as one delta, each tool call whole, the finish reason, the usage. So what comes after the
 * adapter (fail-over, metering, the answer's assembly) cannot tell the two apart.
 */
interface UpstreamToolCall {
  id?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

interface UpstreamAnswer {
  choices?: ReadonlyArray<{ message?: { content?: string | null; tool_calls?: ReadonlyArray<UpstreamToolCall> | null } | null; finish_reason?: string | null }>;
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  error?: { message?: string };
}

const FINISH_REASONS = new Set<string>(['stop', 'length', 'content_filter', 'tool_calls']);
/** As many tool calls as a streamed answer may carry (upstream-chunk.ts). */
const MAX_TOOL_CALLS = 128;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isOptionalText = (value: unknown): boolean => value === undefined || value === null || typeof value === 'string';

function isToolCall(value: unknown): boolean {
  if (!isObject(value) || !isOptionalText(value.id)) return false;
  const fn = value.function;
  return fn === undefined || fn === null || (isObject(fn) && isOptionalText(fn.name) && isOptionalText(fn.arguments));
}

function isChoice(value: unknown): boolean {
  if (!isObject(value)) return false;
  const message = value.message;
  if (message !== undefined && message !== null) {
    if (!(isObject(message) && isOptionalText(message.content))) return false;
    const calls = message.tool_calls;
    if (calls !== undefined && calls !== null && !(Array.isArray(calls) && calls.length <= MAX_TOOL_CALLS && calls.every(isToolCall))) return false;
  }
  return isOptionalText(value.finish_reason);
}

/** The answer is untrusted input: a type guard over exactly the fields read, like the stream's chunks. */
export function isUpstreamAnswer(value: unknown): value is UpstreamAnswer {
  if (!isObject(value)) return false;
  const { choices, usage, error } = value;
  if (choices !== undefined && !(Array.isArray(choices) && choices.every(isChoice))) return false;
  if (usage !== undefined && usage !== null && !(isObject(usage) && isCount(usage.prompt_tokens) && isCount(usage.completion_tokens))) return false;
  return error === undefined || (isObject(error) && (error.message === undefined || typeof error.message === 'string'));
}

/** The adapter events of one whole answer (its body as text); an UpstreamError for anything malformed. */
export function answerEvents(body: string): CompletionEvent[] {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    throw new UpstreamError('upstream_error', 'upstream answered with a body that is not valid JSON');
  }
  if (!isUpstreamAnswer(answer)) throw new UpstreamError('upstream_error', 'upstream answered in an unexpected shape');
  if (answer.error) throw new UpstreamError('upstream_error', `upstream error: ${answer.error.message ?? 'unknown'}`);
  const events: CompletionEvent[] = [];
  for (const choice of answer.choices ?? []) {
    const content = choice.message?.content;
    if (content) events.push({ type: 'delta', content });
    choice.message?.tool_calls?.forEach((call, index) => {
      events.push({
        type: 'tool_call',
        index,
        ...(call.id ? { id: call.id } : {}),
        ...(call.function?.name ? { name: call.function.name } : {}),
        arguments: call.function?.arguments ?? '',
      });
    });
    if (choice.finish_reason) events.push({ type: 'finish', finishReason: FINISH_REASONS.has(choice.finish_reason) ? (choice.finish_reason as FinishReason) : 'stop' });
  }
  if (answer.usage) events.push({ type: 'usage', promptTokens: answer.usage.prompt_tokens, completionTokens: answer.usage.completion_tokens });
  return events;
}
