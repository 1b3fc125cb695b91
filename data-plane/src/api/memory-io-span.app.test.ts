import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { startHarness } from '../test-support/data-plane-harness';
import { captureSpans } from '../test-support/span-capture';

/** Session reads and writes are `memory_io` spans inside the request's trace (DESIGN.md §4, step memory_io). */
const exporter = captureSpans();

describe('memory_io spans', () => {
  it('a continued response reads the previous one (hit) and stores the new one, each a memory_io span in the request trace', async () => {
    const h = await startHarness();
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const first = await client.responses.create({ model: 'mock-gpt', input: 'one' });
    exporter.reset();
    await client.responses.create({ model: 'mock-gpt', input: 'two', previous_response_id: first.id });
    await h.finish();
    const spans = exporter.getFinishedSpans();
    const root = spans.find((span) => span.name === 'POST /v1/responses');
    const memory = spans.filter((span) => span.name === 'memory_io');
    expect(memory.map((span) => span.attributes['switchyard.memory.operation'])).toEqual(['get_response', 'usage', 'put_response']);
    expect(memory[0]?.attributes).toMatchObject({ 'switchyard.memory.store': 'in-process', 'switchyard.memory.hit': true });
    expect(memory[2]?.attributes['switchyard.memory.bytes']).toBeGreaterThan(0);
    for (const span of memory) expect(span.spanContext().traceId).toBe(root?.spanContext().traceId);
    const ingress = spans.find((span) => span.name === 'ingress');
    expect(memory[0]?.parentSpanContext?.spanId).toBe(ingress?.spanContext().spanId);
    expect(root?.attributes['gen_ai.operation.name']).toBe('responses');
  });
});
