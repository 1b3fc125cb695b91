import OpenAI from 'openai';
import { createInProcessSessionWindow, DEFAULT_SESSION_WINDOW_LIMITS } from '@switchyard/memory/session';
import { describe, expect, it } from 'vitest';
import { countPromptTokens } from '../../accounting/token-count';
import type { InferenceMessage } from '../../domain/inference-request';
import { startHarness, type Harness } from '../../test-support/data-plane-harness';

/** POST /v1/responses, GET and DELETE /v1/responses/{id}, through the official openai client. */
const clientOf = (h: Harness, secret = h.secret) => new OpenAI({ apiKey: secret, baseURL: h.baseUrl, maxRetries: 0 });
/** What the mock provider counts as prompt tokens for these messages (the usage the client sees). */
/** The SDK's Response type leaves out `store`, which the API returns. */
const storeOf = (response: object): unknown => (response as { store?: unknown }).store;
const promptTokensOf = (messages: InferenceMessage[]) => countPromptTokens({ messages });

async function errorOf(promise: Promise<unknown>): Promise<{ status: number | undefined; code: unknown; param: unknown }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  const apiError = error as InstanceType<typeof OpenAI.APIError>;
  return { status: apiError.status, code: apiError.code, param: apiError.param };
}

describe('POST /v1/responses (official openai client)', () => {
  it('answers a response object with output_text and usage, stores it, and bills it once', async () => {
    const h = await startHarness();
    const client = clientOf(h);
    const response = await client.responses.create({ model: 'mock-gpt', input: 'Say something.', metadata: { topic: 'greeting' } });
    expect(response.id).toMatch(/^resp_[0-9a-f]{32}$/);
    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.model).toBe('mock-gpt');
    expect(storeOf(response)).toBe(true);
    expect(response.metadata).toEqual({ topic: 'greeting' });
    expect(response.output_text.length).toBeGreaterThan(0);
    expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    expect(response.usage?.input_tokens).toBe(promptTokensOf([{ role: 'user', content: 'Say something.' }]));
    expect(response.usage?.total_tokens).toBe((response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0));

    const retrieved = await client.responses.retrieve(response.id);
    expect(retrieved.id).toBe(response.id);
    const items = await client.responses.inputItems.list(response.id);
    expect(items.data).toEqual([{ id: expect.stringMatching(/^msg_/), type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text: 'Say something.' }] }]);
    expect(retrieved.output_text).toBe(response.output_text);
    expect(retrieved.usage).toEqual(response.usage);
    expect(retrieved.metadata).toEqual({ topic: 'greeting' });

    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tenantId: h.record.tenantId, model: 'mock-gpt', promptTokens: response.usage?.input_tokens, completionTokens: response.usage?.output_tokens, status: 'ok' });
  });

  it('continues a conversation with previous_response_id: the stored turns come first and are billed as prompt tokens', async () => {
    const h = await startHarness();
    const client = clientOf(h);
    const first = await client.responses.create({ model: 'mock-gpt', input: 'My name is Ada.', instructions: 'Be brief.' });
    const second = await client.responses.create({ model: 'mock-gpt', input: 'What is my name?', previous_response_id: first.id });
    expect(second.previous_response_id).toBe(first.id);
    // Instructions are not carried over (as at OpenAI); the earlier input and answer are.
    expect(second.usage?.input_tokens).toBe(
      promptTokensOf([
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: first.output_text },
        { role: 'user', content: 'What is my name?' },
      ]),
    );
    const third = await client.responses.create({ model: 'mock-gpt', input: [{ role: 'user', content: [{ type: 'input_text', text: 'And again?' }] }], previous_response_id: second.id, instructions: 'Answer in French.' });
    expect(third.usage?.input_tokens).toBe(
      promptTokensOf([
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: first.output_text },
        { role: 'user', content: 'What is my name?' },
        { role: 'assistant', content: second.output_text },
        { role: 'user', content: 'And again?' },
      ]),
    );
    const events = await h.finish();
    expect(events.map((event) => event.promptTokens).sort((a, b) => a - b)).toEqual([first, second, third].map((r) => r.usage?.input_tokens).sort((a, b) => (a ?? 0) - (b ?? 0)));
  });

  it('streams the Responses API events; the text adds up; the streamed response is stored and can be continued', async () => {
    const h = await startHarness();
    const client = clientOf(h);
    const stream = await client.responses.create({ model: 'mock-gpt', input: 'Stream [mock: chunks=4]', stream: true });
    const types: string[] = [];
    let text = '';
    let completed: OpenAI.Responses.Response | undefined;
    const sequence: number[] = [];
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.filter((type) => type === 'response.output_text.delta')).toHaveLength(4);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    expect(sequence).toEqual(sequence.map((_, index) => index));
    expect(completed?.output_text ?? (completed?.output[0] as { content: Array<{ text: string }> } | undefined)?.content[0]?.text).toBe(text);
    expect(completed?.usage?.output_tokens).toBeGreaterThan(0);

    const retrieved = await client.responses.retrieve(completed!.id);
    expect(retrieved.output_text).toBe(text);
    const next = await client.responses.create({ model: 'mock-gpt', input: 'More.', previous_response_id: completed!.id });
    expect(next.usage?.input_tokens).toBe(promptTokensOf([{ role: 'user', content: 'Stream [mock: chunks=4]' }, { role: 'assistant', content: text }, { role: 'user', content: 'More.' }]));
    expect(await h.finish()).toHaveLength(2);
  });

  it('a stream the provider breaks ends with an error event and response.failed, and is not stored', async () => {
    const h = await startHarness();
    const client = clientOf(h);
    const stream = await client.responses.create({ model: 'mock-gpt', input: 'Break [mock: chunks=4 fail-after=2]', stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const error = events.find((event) => event.type === 'error');
    expect(error).toMatchObject({ type: 'error', code: 'upstream_error' });
    const failed = events.at(-1);
    expect(failed?.type).toBe('response.failed');
    const id = (failed as OpenAI.Responses.ResponseFailedEvent).response.id;
    expect((await errorOf(client.responses.retrieve(id))).code).toBe('response_not_found');
    const [usage] = await h.finish();
    expect(usage?.status).toBe('error');
  });

  it('store: false answers but keeps nothing to retrieve or continue', async () => {
    const h = await startHarness();
    const client = clientOf(h);
    const response = await client.responses.create({ model: 'mock-gpt', input: 'Ephemeral.', store: false });
    expect(storeOf(response)).toBe(false);
    expect(await errorOf(client.responses.retrieve(response.id))).toMatchObject({ status: 404, code: 'response_not_found' });
    expect(await errorOf(client.responses.create({ model: 'mock-gpt', input: 'x', previous_response_id: response.id }))).toMatchObject({ status: 404, code: 'response_not_found', param: 'previous_response_id' });
    await h.finish();
  });

  it('DELETE removes a stored response: retrieving or continuing it is 404 afterwards, and so is deleting it again', async () => {
    const h = await startHarness();
    const client = clientOf(h);
    const response = await client.responses.create({ model: 'mock-gpt', input: 'Forget me.' });
    const deleted = await fetch(`${h.baseUrl}/responses/${response.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${h.secret}` } });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ id: response.id, object: 'response.deleted', deleted: true });
    expect((await errorOf(client.responses.retrieve(response.id))).code).toBe('response_not_found');
    expect((await errorOf(client.responses.delete(response.id))).code).toBe('response_not_found');
    const again = await client.responses.create({ model: 'mock-gpt', input: 'Deleted by the SDK.' });
    await client.responses.delete(again.id);
    expect((await errorOf(client.responses.retrieve(again.id))).status).toBe(404);
    await h.finish();
  });

  it("another tenant can never read, continue or delete a tenant's response: 404, exactly like an unknown id", async () => {
    const h = await startHarness();
    const other = h.keys.add();
    const mine = clientOf(h);
    const theirs = clientOf(h, other.secret);
    const response = await mine.responses.create({ model: 'mock-gpt', input: 'Tenant A only.' });
    const unknown = `resp_${'0'.repeat(32)}`;
    for (const id of [response.id, unknown]) {
      expect(await errorOf(theirs.responses.retrieve(id))).toMatchObject({ status: 404, code: 'response_not_found' });
      expect(await errorOf(theirs.responses.inputItems.list(id))).toMatchObject({ status: 404, code: 'response_not_found' });
      expect(await errorOf(theirs.responses.delete(id))).toMatchObject({ status: 404, code: 'response_not_found' });
      expect(await errorOf(theirs.responses.create({ model: 'mock-gpt', input: 'steal', previous_response_id: id }))).toMatchObject({ status: 404, code: 'response_not_found' });
    }
    expect((await mine.responses.retrieve(response.id)).output_text).toBe(response.output_text);
    await h.finish();
  });

  it('refuses bad input with a stable code before anything is spent', async () => {
    const h = await startHarness({ maxBodyBytes: 4_096 });
    const client = clientOf(h);
    expect(await errorOf(client.responses.create({ model: 'no-such-model', input: 'x' }))).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    expect(await errorOf(client.responses.create({ model: 'mock-gpt', input: 42 as unknown as string }))).toMatchObject({ status: 400, code: 'invalid_request', param: 'input' });
    expect(await errorOf(client.responses.create({ model: 'mock-gpt', input: [] }))).toMatchObject({ status: 400, code: 'invalid_request', param: 'input' });
    expect(await errorOf(client.responses.create({ model: 'mock-gpt', input: 'x', tools: [{ type: 'web_search' }] }))).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(await errorOf(client.responses.create({ model: 'mock-gpt', input: 'x', previous_response_id: '../../etc/passwd' }))).toMatchObject({ status: 404, code: 'response_not_found' });
    expect(await errorOf(client.responses.create({ model: 'mock-gpt', input: 'x'.repeat(5_000) }))).toMatchObject({ status: 413, code: 'request_too_large' });
    expect(await errorOf(client.responses.retrieve('not-a-response-id'))).toMatchObject({ status: 404, code: 'response_not_found' });
    const put = await fetch(`${h.baseUrl}/responses/resp_${'0'.repeat(32)}`, { method: 'PUT', headers: { authorization: `Bearer ${h.secret}` } });
    expect(put.status).toBe(405);
    const anonymous = await fetch(`${h.baseUrl}/responses/resp_${'0'.repeat(32)}`);
    expect(anonymous.status).toBe(401);
    expect(await h.finish()).toHaveLength(0);
  });

  it("refuses to store past the tenant's quota with response_storage_quota_exceeded (before calling a provider); store: false still answers", async () => {
    const h = await startHarness({ memoryLimits: { ...DEFAULT_SESSION_WINDOW_LIMITS, maxResponsesPerTenant: 2 } });
    const client = clientOf(h);
    const first = await client.responses.create({ model: 'mock-gpt', input: 'one' });
    await client.responses.create({ model: 'mock-gpt', input: 'two' });
    expect(await errorOf(client.responses.create({ model: 'mock-gpt', input: 'three' }))).toMatchObject({ status: 403, code: 'response_storage_quota_exceeded' });
    expect((await client.responses.create({ model: 'mock-gpt', input: 'three', store: false })).status).toBe('completed');
    // Another tenant has a quota of its own; deleting makes room.
    expect(storeOf(await clientOf(h, h.keys.add().secret).responses.create({ model: 'mock-gpt', input: 'elsewhere' }))).toBe(true);
    await client.responses.delete(first.id);
    expect(storeOf(await client.responses.create({ model: 'mock-gpt', input: 'three again' }))).toBe(true);
    // Billed: every answered call, not the refused one.
    expect(await h.finish()).toHaveLength(5);
  });

  it('stores only what the provider saw: PII in the input is redacted before it is remembered', async () => {
    const sessionWindow = createInProcessSessionWindow();
    const h = await startHarness({ sessionWindow });
    const response = await clientOf(h).responses.create({ model: 'mock-gpt', input: 'Mail me at ada@example.com please.' });
    const stored = await sessionWindow.getResponse(h.record.tenantId, response.id);
    expect(JSON.stringify(stored)).not.toContain('ada@example.com');
    expect(stored?.input[0]?.content).toContain('[REDACTED:EMAIL]');
    await h.finish();
  });

  it("accepts function tools (named tools go through the tenant's call_tool policy) and echoes them", async () => {
    const h = await startHarness();
    const response = await clientOf(h).responses.create({
      model: 'mock-gpt',
      input: 'Weather?',
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }],
    });
    expect(response.tools).toEqual([{ type: 'function', name: 'get_weather', description: null, parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }]);
    await h.finish();
  });
});
