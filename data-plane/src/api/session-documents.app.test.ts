import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createInMemorySessionDocumentStore } from '@switchyard/session-documents';
import { startHarness, type Harness } from '../test-support/data-plane-harness';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function textUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('notes').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.finish();
  harness = undefined;
});

async function start(options: Parameters<typeof startHarness>[0] = {}) {
  harness = await startHarness(options);
  const h = harness;
  const call = (path: string, init: RequestInit & { secret?: string } = {}) =>
    fetch(`${h.baseUrl}/sessions/${path}`, { ...init, headers: { authorization: `Bearer ${init.secret ?? h.secret}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } });
  const post = (session: string, body: unknown, secret?: string) => call(`${session}/document/updates`, { method: 'POST', body: JSON.stringify(body), ...(secret ? { secret } : {}) });
  return { h, call, post };
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe('session documents over HTTP', () => {
  it('creates a document with a Yjs update, serves it as JSON and as Yjs state, and deletes it', async () => {
    const { call, post } = await start();
    const created = await post('agent-notes', { update: b64(textUpdate('plan: ship it')) });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ object: 'session.document.update', session_id: 'agent-notes', created: true, duplicate: false });

    // A second agent edits from what it read (its own Yjs document), sending only its change.
    const read = (await (await call('agent-notes/document')).json()) as { content: unknown; state: string; state_vector: string; data_classification: string };
    expect(read).toMatchObject({ object: 'session.document', session_id: 'agent-notes', content: { notes: 'plan: ship it' }, data_classification: 'internal' });
    const agent = new Y.Doc();
    Y.applyUpdate(agent, Buffer.from(read.state, 'base64'));
    const before = Y.encodeStateVector(agent);
    agent.getText('notes').insert(agent.getText('notes').length, ' today');
    agent.getMap('scratchpad').set('owner', 'agent-2');
    const edited = await post('agent-notes', { update: b64(Y.encodeStateAsUpdate(agent, before)) });
    expect(edited.status).toBe(200);
    expect(((await (await call('agent-notes/document')).json()) as { content: unknown }).content).toEqual({ notes: 'plan: ship it today', scratchpad: { owner: 'agent-2' } });

    // What a client holding the old state vector is missing, and only that.
    const missing = (await (await call(`agent-notes/document?state_vector=${encodeURIComponent(b64(before))}`)).json()) as { update: string };
    const stale = new Y.Doc();
    Y.applyUpdate(stale, Buffer.from(read.state, 'base64'));
    Y.applyUpdate(stale, Buffer.from(missing.update, 'base64'));
    expect(stale.getText('notes').toString()).toBe('plan: ship it today');

    expect((await call('agent-notes/document', { method: 'DELETE' })).status).toBe(200);
    const gone = await call('agent-notes/document');
    expect(gone.status).toBe(404);
    expect(await errorCode(gone)).toBe('session_document_not_found');
    expect(await errorCode(await call('agent-notes/document', { method: 'DELETE' }))).toBe('session_document_not_found');
  });

  it('answers a replayed update as a duplicate and stores it once', async () => {
    const { call, post } = await start();
    const update = b64(textUpdate('once'));
    const answers = await Promise.all([post('s', { update }), post('s', { update }), post('s', { update })]);
    const bodies = (await Promise.all(answers.map((answer) => answer.json()))) as { duplicate: boolean }[];
    expect(bodies.filter((body) => !body.duplicate)).toHaveLength(1);
    expect(((await (await call('s/document')).json()) as { content: unknown }).content).toEqual({ notes: 'once' });
  });

  it('refuses malformed, empty, oversized and ill-shaped updates with stable codes, storing nothing', async () => {
    const { call, post, h } = await start({ sessionDocumentLimits: { maxUpdateBytes: 2048, maxDocumentBytes: 4096, maxDocumentsPerTenant: 10 } });
    const expectRefusal = async (response: Response, status: number, code: string) => {
      expect(response.status).toBe(status);
      expect(await errorCode(response)).toBe(code);
    };
    await expectRefusal(await post('s', { update: b64(new Uint8Array([1, 2, 3, 4, 5, 6])) }), 400, 'invalid_document_update');
    await expectRefusal(await post('s', { update: 'not base64 at all!' }), 400, 'invalid_document_update');
    await expectRefusal(await post('s', { update: b64(Y.encodeStateAsUpdate(new Y.Doc())) }), 400, 'invalid_document_update');
    const whole = textUpdate('x'.repeat(1000));
    await expectRefusal(await post('s', { update: b64(whole.slice(0, whole.length - 6)) }), 400, 'invalid_document_update');
    await expectRefusal(await post('s', { update: b64(textUpdate('x'.repeat(2100))) }), 413, 'session_document_update_too_large');
    await expectRefusal(await post('s', { update: 'A'.repeat(64 * 1024) }), 413, 'request_too_large');
    await expectRefusal(await post('s', { update: 42 }), 400, 'invalid_request');
    await expectRefusal(await post('s', { update: b64(textUpdate('x')), extra: true }), 400, 'invalid_request');
    await expectRefusal(await post('s', { update: b64(textUpdate('x')), user: 'u'.repeat(201) }), 400, 'invalid_request');
    await expectRefusal(await fetch(`${h.baseUrl}/sessions/s/document/updates`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' }, body: '{"update":' }), 400, 'invalid_json');
    await expectRefusal(await call('s/document'), 404, 'session_document_not_found');
    // The document's own bound: each update fits, the sum does not.
    for (let i = 0; i < 2; i += 1) expect((await post('big', { update: b64(textUpdate(`${i}`.repeat(1500))) })).status).toBeLessThan(300);
    await expectRefusal(await post('big', { update: b64(textUpdate('z'.repeat(1500))) }), 413, 'session_document_too_large');
  });

  it('refuses bad session ids, wrong methods, missing keys and keys without the inference scope', async () => {
    const { call, post, h } = await start();
    for (const id of ['a%2Fb', 'x'.repeat(129), '%E0%A4%A', 'sp%20ace']) expect(await errorCode(await call(`${id}/document`))).toBe('invalid_session_id');
    expect((await call('s/document', { method: 'PUT' })).status).toBe(405);
    expect((await call('s/document/updates')).status).toBe(405);
    expect((await call('s/other')).status).toBe(404);
    expect((await fetch(`${h.baseUrl}/sessions/s/document`)).status).toBe(401);
    const { secret } = h.keys.add({ tenantId: h.record.tenantId, scopes: ['admin:read'] });
    expect(await errorCode(await post('s', { update: b64(textUpdate('x')) }, secret))).toBe('insufficient_scope');
  });

  it("keeps tenants apart: another tenant's session id is an unknown one (404), and its writes make its own document", async () => {
    const { call, post, h } = await start();
    expect((await post('shared-name', { update: b64(textUpdate('tenant A secret')) })).status).toBe(201);
    const other = h.keys.add();
    const read = await call('shared-name/document', { secret: other.secret });
    expect(read.status).toBe(404);
    expect(await errorCode(read)).toBe('session_document_not_found');
    expect((await call('shared-name/document', { method: 'DELETE', secret: other.secret })).status).toBe(404);
    expect((await call('shared-name/document/events', { secret: other.secret })).status).toBe(404);
    expect((await post('shared-name', { update: b64(textUpdate('tenant B')) }, other.secret)).status).toBe(201);
    expect(((await (await call('shared-name/document')).json()) as { content: unknown }).content).toEqual({ notes: 'tenant A secret' });
  });

  it('enforces the per-tenant document quota for new documents only (429), per tenant', async () => {
    const { post, h } = await start({ sessionDocumentLimits: { maxUpdateBytes: 4096, maxDocumentBytes: 65536, maxDocumentsPerTenant: 2 } });
    expect((await post('one', { update: b64(textUpdate('1')) })).status).toBe(201);
    expect((await post('two', { update: b64(textUpdate('2')) })).status).toBe(201);
    const refused = await post('three', { update: b64(textUpdate('3')) });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(await errorCode(refused)).toBe('session_document_quota_exceeded');
    expect((await post('one', { update: b64(textUpdate('more')) })).status).toBe(200);
    expect((await post('three', { update: b64(textUpdate('3')) }, h.keys.add().secret)).status).toBe(201);
  });

  it("counts document requests against the key's requests per minute, with chat (429 with Retry-After)", async () => {
    const { post, call, h } = await start({ requestsPerMinutePerKey: 3 });
    const chat = await fetch(`${h.baseUrl}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mock-mini', messages: [{ role: 'user', content: 'hi' }] }) });
    expect(chat.status).toBe(200);
    expect((await post('limited', { update: b64(textUpdate('1')) })).status).toBe(201);
    expect((await call('limited/document')).status).toBe(200);
    const refused = await post('limited', { update: b64(textUpdate('2')) });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await errorCode(refused)).toBe('rate_limit_exceeded');
    // Another key of the tenant has its own budget.
    expect((await call('limited/document', { secret: h.keys.add({ tenantId: h.record.tenantId }).secret })).status).toBe(200);
  });

  it('records the end user a write names as a data subject of the document', async () => {
    const store = createInMemorySessionDocumentStore();
    const { post, h } = await start({ sessionDocuments: store });
    await post('support-chat', { update: b64(textUpdate('customer asked about refunds')), user: 'end-user-7' });
    await post('other-chat', { update: b64(textUpdate('no user named')) });
    expect(await store.documentsOfSubject('end-user-7')).toEqual([{ tenantId: h.record.tenantId, sessionId: 'support-chat' }]);
    expect((await store.load(h.record.tenantId, 'other-chat'))?.subjectIds).toEqual([]);
  });

  it("classifies a new document by the tenant's default classification", async () => {
    const { post, call } = await start({ tenantSettings: { defaultDataClassification: 'restricted' } });
    await post('s', { update: b64(textUpdate('x')) });
    expect(((await (await call('s/document')).json()) as { data_classification: string }).data_classification).toBe('restricted');
  });

  it('counts document reads, writes and deletes in the same switchyard_memory_* metrics as the other stores (store "document")', async () => {
    const { call, post, h } = await start();
    const written = (await (await post('metered', { update: b64(textUpdate('counted')) })).json()) as { bytes: number };
    expect((await call('metered/document')).status).toBe(200);
    expect((await call('unknown/document')).status).toBe(404);
    expect((await post('metered', { update: b64(new Uint8Array([1, 2, 3])) })).status).toBe(400);
    expect((await call('metered/document', { method: 'DELETE' })).status).toBe(200);
    const text = await h.metricsText();
    expect(text).toMatch(/switchyard_memory_operations_total\{store="document",operation="write",outcome="hit"\} 1\n/);
    expect(text).toMatch(/switchyard_memory_operations_total\{store="document",operation="write",outcome="miss"\} 1\n/);
    expect(text).toMatch(/switchyard_memory_operations_total\{store="document",operation="read",outcome="hit"\} 1\n/);
    expect(text).toMatch(/switchyard_memory_operations_total\{store="document",operation="read",outcome="miss"\} 1\n/);
    expect(text).toMatch(/switchyard_memory_operations_total\{store="document",operation="delete",outcome="hit"\} 1\n/);
    expect(text).toContain(`switchyard_memory_bytes_total{operation="write",store="document"} ${written.bytes}\n`);
    expect(text).toMatch(/switchyard_memory_io_duration_seconds_count\{store="document",operation="read"\} 2\n/);
  });

  it('streams the state, then every update, to a watcher; closing the data plane ends the stream', async () => {
    const { post, h } = await start();
    await post('live', { update: b64(textUpdate('first')) });
    const controller = new AbortController();
    const stream = await fetch(`${h.baseUrl}/sessions/live/document/events`, { headers: { authorization: `Bearer ${h.secret}` }, signal: controller.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reader = stream.body!.getReader();
    const frames: string[] = [];
    let buffer = '';
    const nextFrame = async (): Promise<string> => {
      while (!buffer.includes('\n\n')) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += Buffer.from(value).toString('utf8');
      }
      const at = buffer.indexOf('\n\n');
      const frame = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      frames.push(frame);
      return frame;
    };
    expect(await nextFrame()).toMatch(/^event: state\ndata: /);
    const second = textUpdate('second');
    await post('live', { update: b64(second) });
    expect(await nextFrame()).toBe(`event: update\ndata: ${JSON.stringify({ update: b64(second) })}`);
    await harness?.finish();
    harness = undefined;
    const { done } = await reader.read();
    expect(done).toBe(true);
  });
});
