import { describe, expect, it } from 'vitest';
import { parseChatCompletionRequest, toInferenceRequest } from '../../api/chat-completion-request';
import { DEFAULT_MAX_TOKENS, toAnthropicBody } from './anthropic-request';

/** What the adapter receives for an OpenAI request sent to the gateway. */
const fromOpenAI = (body: unknown) => toInferenceRequest(parseChatCompletionRequest(body));

describe('toAnthropicBody', () => {
  it('moves system and developer messages to `system` and keeps user/assistant turns', () => {
    const body = toAnthropicBody(
      fromOpenAI({
        model: 'claude-test',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: 'No emoji.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello' },
          { role: 'user', content: [{ type: 'text', text: 'Bye' }] },
        ],
      }),
    );
    expect(body.system).toBe('Be brief.\n\nNo emoji.');
    expect(body.messages).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: 'Bye' },
    ]);
    expect(body.stream).toBe(true);
  });

  it('requires max_tokens: client value wins, default otherwise', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
    expect(toAnthropicBody(fromOpenAI(base)).max_tokens).toBe(DEFAULT_MAX_TOKENS);
    expect(toAnthropicBody(fromOpenAI({ ...base, max_tokens: 7 })).max_tokens).toBe(7);
    expect(toAnthropicBody(fromOpenAI({ ...base, max_tokens: 7, max_completion_tokens: 9 })).max_tokens).toBe(9);
  });

  it('maps sampling options and stop to stop_sequences; clamps temperature to 1', () => {
    const body = toAnthropicBody(
      fromOpenAI({ model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 1.5, top_p: 0.5, stop: 'END', user: 'u-1' }),
    );
    expect(body).toMatchObject({ temperature: 1, top_p: 0.5, stop_sequences: ['END'], metadata: { user_id: 'u-1' } });
    expect(toAnthropicBody(fromOpenAI({ model: 'm', messages: [{ role: 'user', content: 'x' }], stop: ['a', 'b'] })).stop_sequences).toEqual(['a', 'b']);
  });

  it('merges consecutive same-role turns and sends tool results as user text', () => {
    const body = toAnthropicBody(
      fromOpenAI({
        model: 'm',
        messages: [
          { role: 'user', content: 'a' },
          { role: 'tool', content: 'result', tool_call_id: 't1' },
        ],
      }),
    );
    expect(body.messages).toEqual([{ role: 'user', content: 'a\n\nresult' }]);
  });

  it('never sends an empty conversation', () => {
    const body = toAnthropicBody(fromOpenAI({ model: 'm', messages: [{ role: 'system', content: 's' }] }));
    expect(body.messages).toEqual([{ role: 'user', content: '' }]);
  });
});
