import { z } from 'zod';
import type { CompletionEvent, FinishReason } from '../../domain/completion-event';
import { UpstreamError } from '../adapter';

/**
 * Folds Anthropic Messages stream events into adapter events. Pure state machine: feed it each
 * SSE `data` payload in order; `end()` says whether the stream completed (`message_stop` seen).
 */
const usageSchema = z.looseObject({
  input_tokens: z.number().int().nonnegative().nullable().optional(),
  output_tokens: z.number().int().nonnegative().nullable().optional(),
  cache_creation_input_tokens: z.number().int().nonnegative().nullable().optional(),
  cache_read_input_tokens: z.number().int().nonnegative().nullable().optional(),
});

const eventSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('message_start'), message: z.looseObject({ usage: usageSchema.optional() }) }),
  z.looseObject({
    type: z.literal('content_block_delta'),
    delta: z.looseObject({ type: z.string(), text: z.string().optional() }),
  }),
  z.looseObject({
    type: z.literal('message_delta'),
    delta: z.looseObject({ stop_reason: z.string().nullable().optional() }),
    usage: usageSchema.optional(),
  }),
  z.looseObject({ type: z.literal('message_stop') }),
  z.looseObject({ type: z.literal('error'), error: z.looseObject({ type: z.string().optional(), message: z.string().optional() }) }),
  z.looseObject({ type: z.literal('content_block_start') }),
  z.looseObject({ type: z.literal('content_block_stop') }),
  z.looseObject({ type: z.literal('ping') }),
]);

const STOP_REASONS: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

export function mapStopReason(reason: string): FinishReason {
  return STOP_REASONS[reason] ?? 'stop';
}

export interface AnthropicEventFolder {
  /** Adapter events for one SSE `data` payload; throws UpstreamError on malformed or error events. */
  next(data: string): CompletionEvent[];
  readonly completed: boolean;
}

export function createAnthropicEventFolder(): AnthropicEventFolder {
  let promptTokens = 0;
  let completionTokens = 0;
  let completed = false;

  return {
    get completed() {
      return completed;
    },
    next(data) {
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch {
        throw new UpstreamError('upstream_error', 'upstream sent an event that is not valid JSON');
      }
      const parsed = eventSchema.safeParse(json);
      if (!parsed.success) {
        // Anthropic may add event types; unknown ones are skipped, known ones must be well formed.
        const type = typeof json === 'object' && json !== null && 'type' in json ? json.type : undefined;
        if (typeof type === 'string' && !KNOWN_TYPES.has(type)) return [];
        throw new UpstreamError('upstream_error', 'upstream sent an event in an unexpected shape');
      }
      const event = parsed.data;
      switch (event.type) {
        case 'message_start': {
          const usage = event.message.usage;
          promptTokens = (usage?.input_tokens ?? 0) + (usage?.cache_creation_input_tokens ?? 0) + (usage?.cache_read_input_tokens ?? 0);
          completionTokens = usage?.output_tokens ?? 0;
          // Each count is a safe integer, their sum need not be (found by anthropic-events.fuzz.test.ts):
          // an inexact count would be billed, so the answer fails instead.
          if (!Number.isSafeInteger(promptTokens)) throw new UpstreamError('upstream_error', 'upstream reported a token count out of range');
          return [];
        }
        case 'content_block_delta':
          return event.delta.type === 'text_delta' && event.delta.text ? [{ type: 'delta', content: event.delta.text }] : [];
        case 'message_delta': {
          // message_delta usage is cumulative, so it replaces rather than adds.
          if (event.usage?.output_tokens != null) completionTokens = event.usage.output_tokens;
          if (event.usage?.input_tokens != null) promptTokens = event.usage.input_tokens;
          const reason = event.delta.stop_reason;
          return reason ? [{ type: 'finish', finishReason: mapStopReason(reason) }] : [];
        }
        case 'message_stop':
          completed = true;
          return [{ type: 'usage', promptTokens, completionTokens }];
        case 'error': {
          const failure = event.error.type === 'overloaded_error' ? 'upstream_unavailable' : 'upstream_error';
          throw new UpstreamError(failure, `upstream error: ${event.error.message ?? event.error.type ?? 'unknown'}`);
        }
        default:
          return [];
      }
    },
  };
}

const KNOWN_TYPES = new Set(['message_start', 'content_block_delta', 'message_delta', 'message_stop', 'error', 'content_block_start', 'content_block_stop', 'ping']);
