import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startHarness } from '../test-support/data-plane-harness';
import { captureSpans } from '../test-support/span-capture';

const exporter = captureSpans();

describe('session documents in traces', () => {
  it('a write and a read are memory_io spans under their request span, named by route template, never by session id', async () => {
    const h = await startHarness();
    const doc = new Y.Doc();
    doc.getText('notes').insert(0, 'traced');
    const headers = { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' };
    expect((await fetch(`${h.baseUrl}/sessions/secret-session/document/updates`, { method: 'POST', headers, body: JSON.stringify({ update: Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64') }) })).status).toBe(201);
    expect((await fetch(`${h.baseUrl}/sessions/secret-session/document`, { headers })).status).toBe(200);
    await h.finish();
    const spans = exporter.getFinishedSpans();
    const write = spans.find((s) => s.name === 'memory_io' && s.attributes['switchyard.memory.operation'] === 'write');
    const read = spans.find((s) => s.name === 'memory_io' && s.attributes['switchyard.memory.operation'] === 'read');
    expect(write?.attributes).toMatchObject({ 'switchyard.memory.store': 'document', 'switchyard.memory.bytes': expect.any(Number) });
    expect(read?.attributes['switchyard.memory.bytes']).toBeGreaterThan(0);
    const root = spans.find((s) => s.name === 'POST /v1/sessions/{session_id}/document/updates');
    expect(write?.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
    expect(spans.some((s) => s.name === 'GET /v1/sessions/{session_id}/document')).toBe(true);
    expect(spans.some((s) => s.name.includes('secret-session'))).toBe(false);
  });
});
