import { describe, expect, it } from 'vitest';
import { parseChatCompletionRequest, toInferenceRequest } from '../../api/chat-completion-request';
import { redactChatRequest } from './redact-chat-request';
import { REDACT_ALL } from './redact';
import { createStaticRedactionConfigSource } from './redaction-config';

/** What the redactor receives for an OpenAI request sent to the gateway. */
const fromOpenAI = (body: unknown) => toInferenceRequest(parseChatCompletionRequest(body));

const TENANT = '7d4f2a8e-3c1b-4e5f-9a0b-1c2d3e4f5a6b';

describe('redactChatRequest', () => {
  it('redacts string content and text parts of every message, counts by type, leaves other parts and the input alone', () => {
    const input = fromOpenAI({
      model: 'mock-gpt',
      messages: [
        { role: 'system', content: 'Support agent. Escalate to ops@example.com.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'My card is 4111 1111 1111 1111 and mail anna@example.com' },
            { type: 'image_url', image_url: { url: 'https://example.com/anna@example.com.png' } },
          ],
        },
        { role: 'assistant', content: null },
      ],
    });
    const before = structuredClone(input);
    const { request, counts } = redactChatRequest(input, REDACT_ALL);
    expect(counts).toEqual({ email: 2, payment_card: 1 });
    expect(request.messages[0]?.content).toBe('Support agent. Escalate to [REDACTED:EMAIL].');
    expect(request.messages[1]?.content).toEqual([
      { type: 'text', text: 'My card is [REDACTED:PAYMENT_CARD] and mail [REDACTED:EMAIL]' },
      { type: 'image_url', image_url: { url: 'https://example.com/anna@example.com.png' } },
    ]);
    expect(request.messages[2]?.content).toBeNull();
    expect(input).toEqual(before);
  });

  it("redacts the arguments of tool calls the client sends back, keeping them JSON", () => {
    const input = fromOpenAI({
      model: 'mock-gpt',
      messages: [
        { role: 'user', content: 'Mail the report.' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'send_mail', arguments: '{"to":"ada@example.com"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'sent to ada@example.com' },
      ],
    });
    const { request, counts } = redactChatRequest(input, REDACT_ALL);
    const call = request.messages[1]?.toolCalls?.[0];
    expect(JSON.parse(call!.arguments)).toEqual({ to: '[REDACTED:EMAIL]' });
    expect(request.messages[2]?.content).toBe('sent to [REDACTED:EMAIL]');
    expect(counts).toEqual({ email: 2 });
  });

  it('an empty policy changes nothing', () => {
    const input = fromOpenAI({ model: 'm', messages: [{ role: 'user', content: 'anna@example.com' }] });
    expect(redactChatRequest(input, { types: new Set() })).toEqual({ request: input, counts: {} });
  });
});

describe('createStaticRedactionConfigSource', () => {
  it('defaults to every type, honours per-tenant overrides and a configured default', async () => {
    expect((await createStaticRedactionConfigSource().policyFor(TENANT)).types).toEqual(REDACT_ALL.types);
    const source = createStaticRedactionConfigSource({ defaultTypes: ['email'], tenants: { [TENANT]: [] } });
    expect([...(await source.policyFor(TENANT)).types]).toEqual([]);
    expect([...(await source.policyFor('0b7c6f1e-2a3d-4b5c-8d9e-0f1a2b3c4d5e')).types]).toEqual(['email']);
  });

  it('refuses unknown PII types and malformed tenant ids at construction', () => {
    expect(() => createStaticRedactionConfigSource({ defaultTypes: ['emails' as 'email'] })).toThrow();
    expect(() => createStaticRedactionConfigSource({ tenants: { 'not-a-uuid': ['email'] } })).toThrow();
  });
});
