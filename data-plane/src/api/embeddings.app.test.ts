import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockProvider, type MockProvider } from '../adapters/mock/server';
import { MOCK_EMBEDDING_DIMENSIONS, mockEmbedding } from '../adapters/mock/mock-embedding';
import { MOCK_PROVIDER, startHarness, type Harness } from '../test-support/data-plane-harness';

const EMBEDDING_PROVIDER = { ...MOCK_PROVIDER, models: [...MOCK_PROVIDER.models, 'mock-embed-1'] };
const harnesses: Harness[] = [];
const upstreams: MockProvider[] = [];
async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness({ providers: [EMBEDDING_PROVIDER], ...options });
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
  await Promise.all(upstreams.splice(0).map((u) => u.close()));
});

const clientOf = (h: Harness) => new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });

describe('POST /v1/embeddings with the official openai client', () => {
  it('embeds one input: the mock model is deterministic, unit length, 256 dimensions; usage is billed once', async () => {
    const h = await harness();
    const { data: answer, response } = await clientOf(h).embeddings.create({ model: 'mock-embed-1', input: 'hello memory', encoding_format: 'float' }).withResponse();
    expect(answer.object).toBe('list');
    expect(answer.model).toBe('mock-embed-1');
    expect(answer.data).toHaveLength(1);
    expect(answer.data[0]!.index).toBe(0);
    expect(answer.data[0]!.embedding).toHaveLength(MOCK_EMBEDDING_DIMENSIONS);
    expect(answer.data[0]!.embedding).toEqual(mockEmbedding('mock-embed-1', 'hello memory'));
    expect(answer.usage.prompt_tokens).toBeGreaterThan(0);
    expect(answer.usage.total_tokens).toBe(answer.usage.prompt_tokens);

    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      requestId: response.headers.get('x-switchyard-request-id'),
      tenantId: h.record.tenantId,
      model: 'mock-embed-1',
      provider: 'mock',
      promptTokens: answer.usage.prompt_tokens,
      completionTokens: 0,
      status: 'ok',
      // Priced as input tokens only (20 micro-USD per 1k in the test price book).
      costMicros: String(Math.ceil((answer.usage.prompt_tokens * 20) / 1000)),
    });
  });

  it('embeds a batch in input order, and base64 decodes to the same floats (the client default)', async () => {
    const h = await harness();
    const inputs = ['first text', 'second text', 'third'];
    const floats = await clientOf(h).embeddings.create({ model: 'mock-embed-1', input: inputs, encoding_format: 'float' });
    expect(floats.data.map((d) => d.index)).toEqual([0, 1, 2]);
    inputs.forEach((input, i) => expect(floats.data[i]!.embedding).toEqual(mockEmbedding('mock-embed-1', input)));
    // Without encoding_format the SDK asks for base64 and decodes it into numbers itself.
    const decoded = await clientOf(h).embeddings.create({ model: 'mock-embed-1', input: inputs });
    inputs.forEach((_, i) => expect(decoded.data[i]!.embedding).toEqual(floats.data[i]!.embedding));
    const raw = await fetch(`${h.baseUrl}/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-embed-1', input: 'first text', encoding_format: 'base64' }),
    });
    const body = (await raw.json()) as { data: Array<{ embedding: string }> };
    const bytes = Buffer.from(body.data[0]!.embedding, 'base64');
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4))).toEqual(floats.data[0]!.embedding);
  });

  it('refuses too many inputs, an oversized input, token-id input and an unknown model with stable codes, billing nothing', async () => {
    const h = await harness();
    const client = clientOf(h);
    await expect(client.embeddings.create({ model: 'mock-embed-1', input: Array.from({ length: 2049 }, () => 'x') })).rejects.toMatchObject({ status: 400, code: 'too_many_embedding_inputs' });
    await expect(client.embeddings.create({ model: 'mock-embed-1', input: 'x'.repeat(8192 * 4 + 1) })).rejects.toMatchObject({ status: 400, code: 'embedding_input_too_large', param: 'input.0' });
    await expect(client.embeddings.create({ model: 'mock-embed-1', input: [1, 2, 3] })).rejects.toMatchObject({ status: 400, code: 'invalid_request', param: 'input' });
    await expect(client.embeddings.create({ model: 'mock-embed-1', input: [] })).rejects.toMatchObject({ status: 400, code: 'invalid_request' });
    await expect(client.embeddings.create({ model: 'no-such-model', input: 'x' })).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    const malformed = await fetch(`${h.baseUrl}/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' }, body: '{"model": ' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const anonymous = await fetch(`${h.baseUrl}/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(await h.finish()).toEqual([]);
  });

  it('redacts PII before the provider sees it', async () => {
    const h = await harness();
    const answer = await clientOf(h).embeddings.create({ model: 'mock-embed-1', input: 'write to jane.doe@example.com', encoding_format: 'float' });
    expect(answer.data[0]!.embedding).not.toEqual(mockEmbedding('mock-embed-1', 'write to jane.doe@example.com'));
    const events = await h.finish();
    expect(events[0]!.piiRedactions).toMatchObject({ email: 1 });
  });

  it('a route fails over to its next embedding model before answering, and the failed leg is recorded', async () => {
    const h = await harness({
      providers: [EMBEDDING_PROVIDER, { name: 'broken', kind: 'mock', models: ['mock-embed-broken'], mock: { directives: 'status=503' } }],
      routes: [{ name: 'embed', candidates: [{ model: 'mock-embed-broken' }, { model: 'mock-embed-1' }], strategy: { kind: 'priority' } }],
    });
    const answer = await clientOf(h).embeddings.create({ model: 'embed', input: 'fail over', encoding_format: 'float' });
    expect(answer.model).toBe('mock-embed-1');
    const [event] = await h.finish();
    expect(event).toMatchObject({ model: 'mock-embed-1', status: 'ok' });
    expect(event!.route?.legs.map((leg) => leg.outcome)).toEqual(['failed', 'won']);
  });

  it('a model whose provider has no embeddings API is refused with embeddings_not_supported', async () => {
    const h = await harness({ providers: [EMBEDDING_PROVIDER, { name: 'claude', kind: 'anthropic', baseUrl: 'http://127.0.0.1:9', models: ['claude-x'] }] });
    await expect(clientOf(h).embeddings.create({ model: 'claude-x', input: 'x' })).rejects.toMatchObject({ status: 400, code: 'embeddings_not_supported' });
  });

  it('forwards to an OpenAI-compatible upstream (the mock HTTP server) and maps its failures', async () => {
    const upstream = await startMockProvider();
    upstreams.push(upstream);
    const h = await harness({ providers: [{ name: 'remote', kind: 'openai-compatible', baseUrl: upstream.baseUrl, models: ['mock-embed-1'] }] });
    const answer = await clientOf(h).embeddings.create({ model: 'mock-embed-1', input: ['over http', 'two'], encoding_format: 'float', dimensions: 64 });
    expect(answer.data.map((d) => d.embedding)).toEqual([mockEmbedding('mock-embed-1', 'over http', 64), mockEmbedding('mock-embed-1', 'two', 64)]);
    await expect(clientOf(h).embeddings.create({ model: 'mock-embed-1', input: 'boom [mock: status=503 retry-after=2]' })).rejects.toMatchObject({ status: 503, code: 'upstream_unavailable' });
    await expect(clientOf(h).embeddings.create({ model: 'mock-embed-1', input: 'bad [mock: status=400]' })).rejects.toMatchObject({ status: 502, code: 'upstream_error' });
  });
});
