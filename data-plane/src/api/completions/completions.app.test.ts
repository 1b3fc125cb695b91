import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { parseRoutes } from '../../router/route';
import { createInMemoryRouteTable } from '../../router/route-table';
import { startHarness, type Harness } from '../../test-support/data-plane-harness';

/** POST /v1/completions (legacy) and GET /v1/models/{id}, through the official openai client. */
const clientOf = (h: Harness, secret = h.secret) => new OpenAI({ apiKey: secret, baseURL: h.baseUrl, maxRetries: 0 });

async function errorOf(promise: Promise<unknown>): Promise<{ status: number | undefined; code: unknown; param: unknown; type: unknown }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  const apiError = error as InstanceType<typeof OpenAI.APIError>;
  return { status: apiError.status, code: apiError.code, param: apiError.param, type: apiError.type };
}

describe('POST /v1/completions (official openai client)', () => {
  it('answers a text completion with usage, deterministic like chat, and bills it once', async () => {
    const h = await startHarness();
    const client = clientOf(h);
    const { data: completion, response } = await client.completions.create({ model: 'mock-gpt', prompt: 'Once upon a time' }, { headers: { 'x-request-id': 'legacy-1' } }).withResponse();
    expect(completion.id).toBe('cmpl-legacy-1');
    expect(completion.object).toBe('text_completion');
    expect(completion.model).toBe('mock-gpt');
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]).toMatchObject({ index: 0, logprobs: null, finish_reason: 'stop' });
    expect(completion.choices[0]?.text.length).toBeGreaterThan(0);
    // The same prompt as a chat message gives the same words: one governed path, one mock model.
    const chat = await client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'Once upon a time' }] });
    expect(completion.choices[0]?.text).toBe(chat.choices[0]?.message.content);
    expect(completion.usage).toEqual(chat.usage);

    const events = await h.finish();
    expect(events).toHaveLength(2);
    const event = events.find((e) => e.clientRequestId === 'legacy-1');
    expect(event).toMatchObject({ requestId: response.headers.get('x-switchyard-request-id'), promptTokens: completion.usage?.prompt_tokens, completionTokens: completion.usage?.completion_tokens, status: 'ok' });
  });

  it('streams text chunks that add up to the plain answer, then a usage chunk when asked', async () => {
    const h = await startHarness();
    const client = clientOf(h);
    const plain = await client.completions.create({ model: 'mock-gpt', prompt: 'Stream me [mock: chunks=3]' });
    const stream = await client.completions.create({ model: 'mock-gpt', prompt: 'Stream me [mock: chunks=3]', stream: true, stream_options: { include_usage: true } });
    let text = '';
    const finishReasons: Array<string | null> = [];
    let usage: OpenAI.Completions.CompletionUsage | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('text_completion');
      for (const choice of chunk.choices) {
        text += choice.text;
        finishReasons.push(choice.finish_reason);
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(plain.choices[0]?.text);
    expect(finishReasons.at(-1)).toBe('stop');
    expect(usage).toEqual(plain.usage);
    expect(await h.finish()).toHaveLength(2);
  });

  it('answers max_tokens with finish_reason length', async () => {
    const h = await startHarness();
    const completion = await clientOf(h).completions.create({ model: 'mock-gpt', prompt: 'Long one', max_tokens: 2 });
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(2);
    await h.finish();
  });

  it('refuses what it cannot honour, naming the field, before anything is spent', async () => {
    const h = await startHarness();
    const client = clientOf(h);
    expect(await errorOf(client.completions.create({ model: 'mock-gpt', prompt: 'x', n: 2 }))).toMatchObject({ status: 400, code: 'invalid_request', param: 'n' });
    expect(await errorOf(client.completions.create({ model: 'mock-gpt', prompt: 'x', echo: true }))).toMatchObject({ status: 400, code: 'invalid_request', param: 'echo' });
    expect(await errorOf(client.completions.create({ model: 'mock-gpt', prompt: 'x', logprobs: 2 }))).toMatchObject({ status: 400, code: 'invalid_request', param: 'logprobs' });
    expect(await errorOf(client.completions.create({ model: 'mock-gpt', prompt: ['a', 'b'] }))).toMatchObject({ status: 400, code: 'invalid_request', param: 'prompt' });
    expect(await errorOf(client.completions.create({ model: 'mock-gpt', prompt: [1, 2, 3] }))).toMatchObject({ status: 400, code: 'invalid_request', param: 'prompt' });
    expect(await errorOf(client.completions.create({ model: 'nope', prompt: 'x' }))).toMatchObject({ status: 404, code: 'model_not_found' });
    expect(await errorOf(clientOf(h, 'sk-sy-not-a-key').completions.create({ model: 'mock-gpt', prompt: 'x' }))).toMatchObject({ status: 401 });
    expect(await h.finish()).toHaveLength(0);
  });

  it('a provider failure before the first byte is a clean 5xx in the OpenAI shape', async () => {
    const h = await startHarness();
    expect(await errorOf(clientOf(h).completions.create({ model: 'mock-gpt', prompt: 'fail [mock: status=500]' }))).toMatchObject({ status: 502, code: 'upstream_error' });
    const [event] = await h.finish();
    expect(event?.status).toBe('error');
  });
});

describe('GET /v1/models/{id}', () => {
  it('answers a model or route the tenant may use; 404 model_not_found in the OpenAI shape otherwise, per tenant', async () => {
    const table = createInMemoryRouteTable(parseRoutes([{ name: 'auto', candidates: [{ model: 'mock-gpt' }], strategy: { kind: 'priority' } }]));
    const h = await startHarness({ routes: table });
    const other = h.keys.add();
    table.setTenantRoutes(h.record.tenantId, parseRoutes([{ name: 'team/a-only', candidates: [{ model: 'mock-large' }], strategy: { kind: 'priority' } }]));
    const mine = clientOf(h);
    const theirs = clientOf(h, other.secret);

    expect(await mine.models.retrieve('mock-gpt')).toEqual({ id: 'mock-gpt', object: 'model', created: expect.any(Number), owned_by: 'mock' });
    expect(await mine.models.retrieve('auto')).toMatchObject({ id: 'auto', owned_by: 'switchyard-route' });
    // Route names may contain '/': the id is the rest of the path.
    expect(await mine.models.retrieve('team/a-only')).toMatchObject({ id: 'team/a-only', owned_by: 'switchyard-route' });
    expect(await errorOf(theirs.models.retrieve('team/a-only'))).toMatchObject({ status: 404, code: 'model_not_found', type: 'invalid_request_error' });
    expect(await errorOf(mine.models.retrieve('gpt-nope'))).toMatchObject({ status: 404, code: 'model_not_found' });
    const unauthenticated = await fetch(`${h.baseUrl}/models/mock-gpt`);
    expect(unauthenticated.status).toBe(401);
    await h.finish();
  });
});
