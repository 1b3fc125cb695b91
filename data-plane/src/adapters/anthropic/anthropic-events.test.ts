import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../adapter';
import { createAnthropicEventFolder, mapStopReason } from './anthropic-events';

const s = JSON.stringify;

describe('Anthropic event folding', () => {
  it('turns a full stream into deltas, a finish and usage', () => {
    const folder = createAnthropicEventFolder();
    const out = [
      s({ type: 'message_start', message: { id: 'msg_1', usage: { input_tokens: 11, output_tokens: 1 } } }),
      s({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      s({ type: 'ping' }),
      s({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }),
      s({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } }),
      s({ type: 'content_block_stop', index: 0 }),
      s({ type: 'message_delta', delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 5 } }),
      s({ type: 'message_stop' }),
    ].flatMap((d) => folder.next(d));
    expect(out).toEqual([
      { type: 'delta', content: 'Hel' },
      { type: 'delta', content: 'lo' },
      { type: 'finish', finishReason: 'length' },
      { type: 'usage', promptTokens: 11, completionTokens: 5 },
    ]);
    expect(folder.completed).toBe(true);
  });

  it('refuses prompt counts whose sum is not a safe integer (regression: found by the fuzzer)', () => {
    const folder = createAnthropicEventFolder();
    const start = s({ type: 'message_start', message: { usage: { input_tokens: Number.MAX_SAFE_INTEGER, cache_read_input_tokens: 1 } } });
    expect(() => folder.next(start)).toThrow(UpstreamError);
    expect(() => folder.next(start)).toThrow(/token count out of range/);
    expect(createAnthropicEventFolder().next(s({ type: 'message_start', message: { usage: { input_tokens: Number.MAX_SAFE_INTEGER } } }))).toEqual([]);
  });

  it('maps stop reasons', () => {
    expect(mapStopReason('end_turn')).toBe('stop');
    expect(mapStopReason('stop_sequence')).toBe('stop');
    expect(mapStopReason('max_tokens')).toBe('length');
    expect(mapStopReason('tool_use')).toBe('tool_calls');
    expect(mapStopReason('something_new')).toBe('stop');
  });

  it('refuses malformed JSON and malformed known events, skips unknown event types', () => {
    const folder = createAnthropicEventFolder();
    expect(() => folder.next('{nope')).toThrow(UpstreamError);
    expect(() => folder.next(s({ type: 'content_block_delta' }))).toThrow(/unexpected shape/);
    expect(folder.next(s({ type: 'future_event', x: 1 }))).toEqual([]);
    expect(folder.completed).toBe(false);
  });

  it('an error event fails the stream; overloaded means unavailable', () => {
    const folder = createAnthropicEventFolder();
    try {
      folder.next(s({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UpstreamError);
      expect((error as UpstreamError).failure).toBe('upstream_unavailable');
    }
    expect(() => folder.next(s({ type: 'error', error: { type: 'api_error', message: 'boom' } }))).toThrow(/boom/);
  });
});
