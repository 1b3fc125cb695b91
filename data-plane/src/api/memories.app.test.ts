import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createInMemoryVectorMemory } from '@switchyard/vector-memory';
import { MOCK_PROVIDER, startHarness, type Harness } from '../test-support/data-plane-harness';

const EMBEDDING_PROVIDER = { ...MOCK_PROVIDER, models: [...MOCK_PROVIDER.models, 'mock-embed-1'] };
const harnesses: Harness[] = [];
const servers: Server[] = [];
async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness({ providers: [EMBEDDING_PROVIDER], ...options });
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

interface MemoryBody {
  id: string;
  object: string;
  collection: string;
  text: string;
  model: string;
  dimensions: number;
  subject: string | null;
  created_at: number;
}

function call(h: Harness, method: string, path: string, body?: unknown, headers: Record<string, string> = {}, secret = h.secret) {
  return fetch(`${h.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

async function codeOf(response: Response): Promise<{ status: number; code: string }> {
  return { status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code };
}

describe('/v1/memories', () => {
  it('adds (redacted, embedded and billed), lists, reads and deletes a memory', async () => {
    const h = await harness();
    const added = await call(h, 'POST', '/memories', { collection: 'facts', text: 'Reach Jane at jane.doe@example.com about invoices', subject: 'jane' });
    expect(added.status).toBe(201);
    const memory = (await added.json()) as MemoryBody;
    expect(memory).toMatchObject({ object: 'memory', collection: 'facts', model: 'mock-embed-1', dimensions: 256, subject: 'jane' });
    // Redaction runs before anything is stored.
    expect(memory.text).not.toContain('jane.doe@example.com');
    expect(memory.text).toContain('about invoices');

    const listed = (await (await call(h, 'GET', '/memories?collection=facts')).json()) as { object: string; data: MemoryBody[]; has_more: boolean };
    expect(listed).toMatchObject({ object: 'list', has_more: false });
    expect(listed.data.map((m) => m.id)).toEqual([memory.id]);
    expect(((await (await call(h, 'GET', `/memories/${memory.id}`)).json()) as MemoryBody).text).toBe(memory.text);

    const deleted = await call(h, 'DELETE', `/memories/${memory.id}`);
    expect(await deleted.json()).toEqual({ id: memory.id, object: 'memory.deleted', deleted: true });
    expect(await codeOf(await call(h, 'GET', `/memories/${memory.id}`))).toEqual({ status: 404, code: 'memory_not_found' });
    expect(await codeOf(await call(h, 'DELETE', `/memories/${memory.id}`))).toEqual({ status: 404, code: 'memory_not_found' });

    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ model: 'mock-embed-1', completionTokens: 0, status: 'ok', piiRedactions: { email: 1 } });
  });

  it('stores a replayed Idempotency-Key once and bills its embedding once', async () => {
    const h = await harness();
    const body = { collection: 'facts', text: 'The office dog is called Biscuit' };
    const first = await call(h, 'POST', '/memories', body, { 'idempotency-key': 'add-biscuit' });
    const again = await call(h, 'POST', '/memories', body, { 'idempotency-key': 'add-biscuit' });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(((await again.json()) as MemoryBody).id).toBe(((await first.json()) as MemoryBody).id);
    expect(((await (await call(h, 'GET', '/memories?collection=facts')).json()) as { data: unknown[] }).data).toHaveLength(1);
    expect(await h.finish()).toHaveLength(1);
  });

  it("never shows, lists or deletes another tenant's memory: its id is 404", async () => {
    const h = await harness();
    const other = h.keys.add();
    const memory = (await (await call(h, 'POST', '/memories', { collection: 'private', text: 'tenant A secret' })).json()) as MemoryBody;
    expect(await codeOf(await call(h, 'GET', `/memories/${memory.id}`, undefined, {}, other.secret))).toEqual({ status: 404, code: 'memory_not_found' });
    expect(await codeOf(await call(h, 'DELETE', `/memories/${memory.id}`, undefined, {}, other.secret))).toEqual({ status: 404, code: 'memory_not_found' });
    expect(((await (await call(h, 'GET', '/memories?collection=private', undefined, {}, other.secret)).json()) as { data: unknown[] }).data).toEqual([]);
    expect((await call(h, 'GET', `/memories/${memory.id}`)).status).toBe(200);
  });

  it('refuses malformed, oversized and hostile input with stable codes before storing anything', async () => {
    const h = await harness();
    expect(await codeOf(await call(h, 'POST', '/memories', '{"collection": '))).toEqual({ status: 400, code: 'invalid_json' });
    expect(await codeOf(await call(h, 'POST', '/memories', { collection: 'facts' }))).toEqual({ status: 400, code: 'invalid_request' });
    expect(await codeOf(await call(h, 'POST', '/memories', { collection: '../etc', text: 'x' }))).toEqual({ status: 400, code: 'invalid_request' });
    expect(await codeOf(await call(h, 'POST', '/memories', { collection: 'facts', text: 'x'.repeat(8193) }))).toEqual({ status: 400, code: 'invalid_request' });
    expect(await codeOf(await call(h, 'POST', '/memories', { collection: 'facts', text: 'x', model: 'no-such-model' }))).toEqual({ status: 404, code: 'model_not_found' });
    expect(await codeOf(await call(h, 'GET', '/memories?limit=100000'))).toEqual({ status: 400, code: 'invalid_request' });
    expect(await codeOf(await call(h, 'GET', '/memories?after=not-an-id'))).toEqual({ status: 400, code: 'invalid_request' });
    expect(await codeOf(await call(h, 'GET', "/memories/1'%20OR%201=1"))).toEqual({ status: 404, code: 'memory_not_found' });
    expect(await codeOf(await call(h, 'GET', '/memories/%E0%A4%A'))).toEqual({ status: 404, code: 'memory_not_found' });
    expect(await codeOf(await call(h, 'PUT', '/memories'))).toEqual({ status: 405, code: 'method_not_allowed' });
    expect((await fetch(`${h.baseUrl}/memories`)).status).toBe(401);
    expect(((await (await call(h, 'GET', '/memories')).json()) as { data: unknown[] }).data).toEqual([]);
  });

  it("holds a tenant to its memory quota with memory_quota_exceeded", async () => {
    const h = await harness({ vectorMemory: createInMemoryVectorMemory({ maxMemoriesPerTenant: 1 }) });
    expect((await call(h, 'POST', '/memories', { collection: 'facts', text: 'one' })).status).toBe(201);
    expect(await codeOf(await call(h, 'POST', '/memories', { collection: 'facts', text: 'two' }))).toEqual({ status: 403, code: 'memory_quota_exceeded' });
  });

  it('pages through a collection with limit and after', async () => {
    const h = await harness();
    for (const text of ['a', 'b', 'c']) await call(h, 'POST', '/memories', { collection: 'paged', text });
    const first = (await (await call(h, 'GET', '/memories?collection=paged&limit=2')).json()) as { data: MemoryBody[]; has_more: boolean; last_id: string };
    expect(first.data).toHaveLength(2);
    expect(first.has_more).toBe(true);
    const second = (await (await call(h, 'GET', `/memories?collection=paged&limit=2&after=${first.last_id}`)).json()) as { data: MemoryBody[]; has_more: boolean };
    expect(second.data).toHaveLength(1);
    expect(second.has_more).toBe(false);
  });
});

/** An OpenAI-compatible upstream that records every chat request body and answers with fixed usage. */
async function recordingChatUpstream(): Promise<{ baseUrl: string; bodies: Array<{ messages: Array<{ role: string; content: string }> }> }> {
  const bodies: Array<{ messages: Array<{ role: string; content: string }> }> = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const body = JSON.parse(text) as { messages: Array<{ role: string; content: string }> };
      bodies.push(body);
      const promptTokens = body.messages.reduce((sum, m) => sum + Math.ceil(m.content.length / 4), 0);
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (data: object) => response.write(`data: ${JSON.stringify({ id: 'up-1', object: 'chat.completion.chunk', created: 1, model: 'rec-model', ...data })}\n\n`);
      chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'ok' }, finish_reason: null }] });
      chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      chunk({ choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: 1, total_tokens: promptTokens + 1 } });
      response.end('data: [DONE]\n\n');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, bodies };
}

describe('retrieval into a request (route memory.topMemories)', () => {
  it('adds the top-k memories for the last user message to the prompt, billed as prompt tokens', async () => {
    const upstream = await recordingChatUpstream();
    const h = await harness({
      providers: [EMBEDDING_PROVIDER, { name: 'rec', kind: 'openai-compatible', baseUrl: upstream.baseUrl, models: ['rec-model'] }],
      routes: [
        { name: 'remember', candidates: [{ model: 'rec-model' }], strategy: { kind: 'priority' }, memory: { topMemories: { k: 1, collection: 'facts', embeddingModel: 'mock-embed-1' } } },
        { name: 'forget', candidates: [{ model: 'rec-model' }], strategy: { kind: 'priority' } },
      ],
    });
    for (const text of ["The customer's favourite colour is blue", 'Invoices are due on the first Monday', 'The office dog is called Biscuit']) {
      expect((await call(h, 'POST', '/memories', { collection: 'facts', text })).status).toBe(201);
    }
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const messages = [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'What is my favourite colour?' }];
    const { data: remembered, response } = await client.chat.completions.create({ model: 'remember', messages }).withResponse();
    expect(response.headers.get('x-switchyard-memories')).toBe('1');
    const plain = await client.chat.completions.create({ model: 'forget', messages });

    const [withMemories, without] = upstream.bodies;
    expect(withMemories!.messages.map((m) => m.role)).toEqual(['system', 'system', 'user']);
    expect(withMemories!.messages[1]!.content).toContain("The customer's favourite colour is blue");
    expect(withMemories!.messages[1]!.content).not.toContain('Biscuit');
    expect(without!.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(remembered.usage!.prompt_tokens).toBeGreaterThan(plain.usage!.prompt_tokens);

    const events = await h.finish();
    const chat = events.find((e) => e.requestId === response.headers.get('x-switchyard-request-id'))!;
    expect(chat.promptTokens).toBe(remembered.usage!.prompt_tokens);
    // The query's embedding is billed as its own call.
    expect(events.find((e) => e.requestId === `${chat.requestId}:memory-query`)).toMatchObject({ model: 'mock-embed-1', completionTokens: 0 });
  });

  it('serves without memories, and says so, when retrieval fails', async () => {
    const upstream = await recordingChatUpstream();
    const h = await harness({
      providers: [EMBEDDING_PROVIDER, { name: 'rec', kind: 'openai-compatible', baseUrl: upstream.baseUrl, models: ['rec-model'] }],
      routes: [{ name: 'remember', candidates: [{ model: 'rec-model' }], strategy: { kind: 'priority' }, memory: { topMemories: { k: 3, collection: 'facts', embeddingModel: 'no-such-embedder' } } }],
    });
    const response = await call(h, 'POST', '/chat/completions', { model: 'remember', messages: [{ role: 'user', content: 'hello' }] });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchyard-memories')).toBe('unavailable');
    expect(upstream.bodies[0]!.messages).toHaveLength(1);
  });

  it('counts vector memory operations in switchyard_memory_* metrics', async () => {
    const h = await harness();
    await call(h, 'POST', '/memories', { collection: 'facts', text: 'counted' });
    await call(h, 'GET', '/memories/00000000-0000-4000-8000-000000000000');
    const text = await h.metricsText();
    expect(text).toMatch(/switchyard_memory_operations_total\{store="vector",operation="add",outcome="hit"\} 1/);
    expect(text).toMatch(/switchyard_memory_operations_total\{store="vector",operation="get",outcome="miss"\} 1/);
    expect(text).toMatch(/switchyard_memory_bytes_total\{operation="add",store="vector"\} 7/);
    expect(text).toMatch(/switchyard_memory_io_duration_seconds_count\{store="vector",operation="add"\} 1/);
  });
});
