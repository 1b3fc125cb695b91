import { describe, expect, it } from 'vitest';
import type { InferenceRequest } from '../../domain/inference-request';
import { toOpenAIBody } from './openai-request';

const base: InferenceRequest = { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] };
/** What the upstream receives on the wire. */
const sent = (request: InferenceRequest): unknown => JSON.parse(JSON.stringify(toOpenAIBody(request)));

describe('toOpenAIBody (the data plane request → an OpenAI-compatible upstream)', () => {
  it('always streams with usage; leaves out whatever the request does not set', () => {
    expect(sent(base)).toEqual({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
  });

  it('maps every option back to its OpenAI name', () => {
    const body = sent({
      ...base,
      stream: false,
      streamUsage: false,
      temperature: 0.3,
      topP: 0.8,
      maxOutputTokens: 12,
      stopSequences: ['END'],
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      seed: 42,
      endUserId: 'u-1',
    });
    expect(body).toEqual({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.3,
      top_p: 0.8,
      max_tokens: 12,
      stop: ['END'],
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      seed: 42,
      user: 'u-1',
    });
  });

  it('asks for the output limit under the name the client used', () => {
    expect(sent({ ...base, maxOutputTokens: 5 })).toMatchObject({ max_tokens: 5 });
    expect(sent({ ...base, maxOutputTokens: 5 })).not.toHaveProperty('max_completion_tokens');
    expect(sent({ ...base, maxOutputTokens: 5, outputLimitCoversReasoning: true })).toMatchObject({ max_completion_tokens: 5 });
    expect(sent({ ...base, maxOutputTokens: 5, outputLimitCoversReasoning: true })).not.toHaveProperty('max_tokens');
  });

  it('messages: names, tool call ids, null content and content parts as OpenAI has them', () => {
    const image = { type: 'image_url', image_url: { url: 'https://example.com/a.png' } };
    const body = sent({
      ...base,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Look:' }, image], name: 'anna' },
        { role: 'assistant', content: null },
        { role: 'tool', content: 'sunny', toolCallId: 'call-1' },
      ],
    });
    expect(body).toMatchObject({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Look:' }, image], name: 'anna' },
        { role: 'assistant', content: null },
        { role: 'tool', content: 'sunny', tool_call_id: 'call-1' },
      ],
    });
  });

  it('forwards the tools the client defined and its tool choice (the policy step already allowed them)', () => {
    const parameters = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const body = sent({ ...base, tools: [{ name: 'weather', definition: { description: 'Weather by city', parameters, strict: true } }, { name: 'bare' }], toolChoice: { name: 'weather' } });
    expect(body).toMatchObject({
      tools: [
        { type: 'function', function: { name: 'weather', description: 'Weather by city', parameters, strict: true } },
        { type: 'function', function: { name: 'bare' } },
      ],
      tool_choice: { type: 'function', function: { name: 'weather' } },
    });
    expect(sent({ ...base, tools: [], toolChoice: 'none' })).toEqual({ ...(sent(base) as object), tool_choice: 'none' });
  });

  it("sends an assistant message's tool calls back with the tool results", () => {
    const body = sent({
      ...base,
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' }] },
        { role: 'tool', content: 'rain', toolCallId: 'call_1' },
      ],
    });
    expect(body).toMatchObject({
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }] },
        { role: 'tool', content: 'rain', tool_call_id: 'call_1' },
      ],
    });
  });
});
