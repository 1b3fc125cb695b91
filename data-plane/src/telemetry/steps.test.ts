import { describe, expect, it } from 'vitest';
import { startHarness } from '../test-support/data-plane-harness';
import { captureSpans } from '../test-support/span-capture';

/** With an SDK registered, the request path's steps become spans; without one they cost nothing. */
const exporter = captureSpans();

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
    const root = spans.find((s) => s.name === 'POST /v1/chat/completions');
    expect(spans.find((s) => s.name === 'adapter_call')?.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
    expect(root?.attributes).toMatchObject({ 'gen_ai.request.model': 'r', 'gen_ai.response.model': 'mock-mini', 'switchyard.route': 'r', 'switchyard.fallback': false });
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

  it('a speculative route has one adapter_call span per leg: the winner and the cancelled loser', async () => {
    exporter.reset();
    const h = await startHarness({ routes: [{ name: 'spec', candidates: [{ model: 'mock-mini' }, { model: 'mock-gpt' }], strategy: { kind: 'priority' }, speculative: { mode: 'parallel', k: 2 } }] });
    const response = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'spec', messages: [{ role: 'user', content: 'race' }] }),
    });
    expect(response.status).toBe(200);
    await h.finish();
    const legs = exporter.getFinishedSpans().filter((s) => s.name === 'adapter_call');
    expect(legs.map((s) => s.attributes['switchyard.leg.kind']).sort()).toEqual(['primary', 'speculative']);
    expect(legs.map((s) => s.attributes['switchyard.leg.outcome']).sort()).toEqual(['lost', 'won']);
    expect(new Set(legs.map((s) => s.spanContext().traceId)).size).toBe(1);
  });
});
