import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../test-support/data-plane-harness';

/** With an SDK registered, the request path's steps become spans; without one they cost nothing. */
const exporter = new InMemorySpanExporter();

beforeAll(() => {
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
});
afterAll(() => {
  trace.disable();
});

describe('request-path spans', () => {
  it('a served request emits ingress, routing_decision, adapter_call, aggregation and accounting spans', async () => {
    const h = await startHarness({ routes: [{ name: 'r', candidates: [{ model: 'mock-mini' }], strategy: { kind: 'priority' } }] });
    const response = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'r', messages: [{ role: 'user', content: 'trace me' }] }),
    });
    expect(response.status).toBe(200);
    await h.finish();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(['ingress', 'routing_decision', 'adapter_call', 'aggregation', 'accounting']));
    expect(spans.find((s) => s.name === 'adapter_call')?.attributes).toMatchObject({ 'switchyard.route': 'r', 'switchyard.upstream': 'mock/mock-mini' });
  });

  it('a request no upstream answers marks adapter_call as an error', async () => {
    exporter.reset();
    const h = await startHarness({});
    const response = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: '[mock: status=500]' }] }),
    });
    expect(response.status).toBe(502);
    await h.finish();
    const adapterCall = exporter.getFinishedSpans().find((s) => s.name === 'adapter_call');
    expect(adapterCall?.status.code).toBe(2); // SpanStatusCode.ERROR
  });
});
