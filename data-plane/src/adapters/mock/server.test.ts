import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockProvider, type MockProvider } from './server';

let provider: MockProvider;
beforeAll(async () => {
  provider = await startMockProvider();
});
afterAll(async () => {
  await provider.close();
});

const messages = [{ role: 'user' as const, content: 'ping' }];

describe('mock provider HTTP server', () => {
  it('is an OpenAI-compatible upstream for the official client (both modes agree)', async () => {
    const client = new OpenAI({ apiKey: 'anything', baseURL: provider.baseUrl, maxRetries: 0 });
    const whole = await client.chat.completions.create({ model: 'mock-gpt', messages });
    const stream = await client.chat.completions.create({ model: 'mock-gpt', messages, stream: true, stream_options: { include_usage: true } });
    let content = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(content).toBe(whole.choices[0]?.message.content);
    expect(usage).toEqual(whole.usage);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['mock-gpt', 'mock-large', 'mock-mini', 'mock-judge']);
  });

  it('selects failures per request with the x-mock header', async () => {
    const response = await fetch(`${provider.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mock': 'status=503 retry-after=4' },
      body: JSON.stringify({ model: 'mock-gpt', messages }),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('4');
  });

  it('answers malformed JSON when asked', async () => {
    const response = await fetch(`${provider.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mock': 'malformed-json' },
      body: JSON.stringify({ model: 'mock-gpt', messages }),
    });
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow();
  });

  it('refuses non-mock models and bad requests with OpenAI-shaped errors', async () => {
    const client = new OpenAI({ apiKey: 'anything', baseURL: provider.baseUrl, maxRetries: 0 });
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const bad = await fetch(`${provider.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(bad.status).toBe(400);
  });

  it('close() ends hanging requests', async () => {
    const other = await startMockProvider();
    const hanging = fetch(`${other.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mock': 'hang' },
      body: JSON.stringify({ model: 'mock-gpt', messages }),
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await other.close();
    await expect(hanging).rejects.toThrow();
  });
});
