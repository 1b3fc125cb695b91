import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { parseChatCompletionRequest, toInferenceRequest } from './chat-completion-request';

const fromOpenAI = (body: unknown) => toInferenceRequest(parseChatCompletionRequest(body));
const messages = [{ role: 'user', content: 'hi' }];

describe('toInferenceRequest (OpenAI wire → the data plane request)', () => {
  it('a minimal request: the model and messages; nothing else set, not streamed', () => {
    expect(fromOpenAI({ model: 'mock-gpt', messages })).toEqual({
      model: 'mock-gpt',
      messages: [{ role: 'user', content: 'hi' }],
      stream: false,
      streamUsage: false,
      outputLimitCoversReasoning: false,
    });
  });

  it('renames every field the data plane uses', () => {
    const request = fromOpenAI({
      model: 'r',
      messages: [
        { role: 'system', content: 'Be brief.', name: 'ops' },
        { role: 'tool', content: 'result', tool_call_id: 'call-1' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 64,
      presence_penalty: -1,
      frequency_penalty: 1.5,
      seed: 7,
      user: 'end-user-1',
      stop: ['END', 'STOP'],
    });
    expect(request).toEqual({
      model: 'r',
      messages: [
        { role: 'system', content: 'Be brief.', name: 'ops' },
        { role: 'tool', content: 'result', toolCallId: 'call-1' },
      ],
      stream: true,
      streamUsage: true,
      maxOutputTokens: 64,
      outputLimitCoversReasoning: false,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ['END', 'STOP'],
      presencePenalty: -1,
      frequencyPenalty: 1.5,
      seed: 7,
      endUserId: 'end-user-1',
    });
  });

  it('JSON nulls are the same as leaving the field out', () => {
    const request = fromOpenAI({
      model: 'm',
      messages: [{ role: 'assistant', content: null }, { role: 'assistant' }],
      stream: null,
      stream_options: null,
      temperature: null,
      top_p: null,
      n: null,
      max_tokens: null,
      max_completion_tokens: null,
      stop: null,
      presence_penalty: null,
      frequency_penalty: null,
      seed: null,
    });
    expect(request).toEqual({
      model: 'm',
      // A message without content has null content, however the client said it.
      messages: [
        { role: 'assistant', content: null },
        { role: 'assistant', content: null },
      ],
      stream: false,
      streamUsage: false,
      outputLimitCoversReasoning: false,
    });
  });

  it('the output limit: max_completion_tokens wins over max_tokens and is marked as covering reasoning', () => {
    expect(fromOpenAI({ model: 'm', messages, max_tokens: 7 })).toMatchObject({ maxOutputTokens: 7, outputLimitCoversReasoning: false });
    expect(fromOpenAI({ model: 'm', messages, max_completion_tokens: 9 })).toMatchObject({ maxOutputTokens: 9, outputLimitCoversReasoning: true });
    expect(fromOpenAI({ model: 'm', messages, max_tokens: 7, max_completion_tokens: 9 })).toMatchObject({ maxOutputTokens: 9, outputLimitCoversReasoning: true });
  });

  it('usage in the stream only when streaming and asked for', () => {
    expect(fromOpenAI({ model: 'm', messages, stream: false, stream_options: { include_usage: true } }).streamUsage).toBe(false);
    expect(fromOpenAI({ model: 'm', messages, stream: true, stream_options: {} }).streamUsage).toBe(false);
    expect(fromOpenAI({ model: 'm', messages, stream: true, stream_options: { include_usage: false } }).streamUsage).toBe(false);
    expect(fromOpenAI({ model: 'm', messages, stream: true, stream_options: { include_usage: true } }).streamUsage).toBe(true);
  });

  it('one stop string is a list of one', () => {
    expect(fromOpenAI({ model: 'm', messages, stop: 'END' }).stopSequences).toEqual(['END']);
    expect(fromOpenAI({ model: 'm', messages, stop: [] }).stopSequences).toEqual([]);
  });

  it('content parts are kept as sent: text parts are read, other parts (images, audio) are carried untouched', () => {
    const image = { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } };
    const request = fromOpenAI({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'Look:' }, image] }] });
    expect(request.messages[0]?.content).toEqual([{ type: 'text', text: 'Look:' }, image]);
  });

  it('tools by name, in order; a forced tool by name; the other tool choices as they are', () => {
    const tools = [
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
      { type: 'function', function: { name: 'send_mail', description: 'Sends a mail.' } },
    ];
    const request = fromOpenAI({ model: 'm', messages, tools, tool_choice: { type: 'function', function: { name: 'send_mail' } } });
    expect(request.tools).toEqual([
      { name: 'get_weather', definition: { parameters: { type: 'object' } } },
      { name: 'send_mail', definition: { description: 'Sends a mail.' } },
    ]);
    expect(request.toolChoice).toEqual({ name: 'send_mail' });
    for (const choice of ['none', 'auto', 'required'] as const) expect(fromOpenAI({ model: 'm', messages, tools, tool_choice: choice }).toolChoice).toBe(choice);
    expect(fromOpenAI({ model: 'm', messages, tools: [] }).tools).toEqual([]);
  });

  it('fields the data plane does not act on are checked at the edge and not carried', () => {
    const request = fromOpenAI({ model: 'm', messages, n: 1, logit_bias: { 50256: -100 }, response_format: { type: 'json_object' } });
    expect(request).not.toHaveProperty('n');
    expect(request).not.toHaveProperty('logit_bias');
    expect(request).not.toHaveProperty('response_format');
    expect(() => fromOpenAI({ model: 'm', messages, n: 2 })).toThrow(ApiError);
  });

  it('does not modify the wire request', () => {
    const wire = parseChatCompletionRequest({ model: 'm', messages: [{ role: 'tool', content: 'x', tool_call_id: 't' }], stop: 'END', max_tokens: 3 });
    const before = structuredClone(wire);
    toInferenceRequest(wire);
    expect(wire).toEqual(before);
  });
});
