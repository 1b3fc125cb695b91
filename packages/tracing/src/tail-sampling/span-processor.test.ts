import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { SWITCHYARD } from '../attributes';
import { TailSamplingController } from './controller';
import { TailSamplingSpanProcessor } from './span-processor';

function setup(spansPerSecond: number) {
  let now = 0;
  const exporter = new InMemorySpanExporter();
  const controller = new TailSamplingController({ spansPerSecond }, () => now, () => 0.99);
  const processor = new TailSamplingSpanProcessor(new SimpleSpanProcessor(exporter), controller, { clock: () => now });
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('test');
  /** A root with two children; the root ends last, as a request's server span does. */
  const request = (mark?: (root: ReturnType<typeof tracer.startSpan>) => void) => {
    const root = tracer.startSpan('root');
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    tracer.startSpan('a', {}, ctx).end();
    tracer.startSpan('b', {}, ctx).end();
    mark?.(root);
    root.end();
    return root.spanContext().traceId;
  };
  return { exporter, request, tracer, advance: (ms: number) => void (now += ms), processor };
}

afterEach(() => trace.disable());

describe('TailSamplingSpanProcessor', () => {
  it('exports a whole trace or none of it, decided when its root ends', () => {
    const { exporter, request, advance } = setup(4); // room for one 3-span trace per second
    advance(990); // late in the window: the paced allowance is nearly the whole budget
    const first = request();
    const second = request();
    const names = exporter.getFinishedSpans().map((s) => `${s.spanContext().traceId === first ? 1 : 2}:${s.name}`);
    expect(names).toEqual(['1:a', '1:b', '1:root']);
    expect(second).not.toBe(first);
  });

  it('keeps errored and denied traces past the budget, and spans that end after their root follow the decision', () => {
    const { exporter, request, tracer } = setup(1);
    const errored = request((root) => root.setStatus({ code: SpanStatusCode.ERROR }));
    const denied = request((root) => root.setAttribute(SWITCHYARD.policyDecision, 'deny'));
    const dropped = request();
    const kept = new Set(exporter.getFinishedSpans().map((s) => s.spanContext().traceId));
    expect(kept).toEqual(new Set([errored, denied]));
    // A losing leg ending after the request: joins its trace's fate.
    const late = (traceId: string) => tracer.startSpan('late', {}, trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: '00f067aa0ba902b7', traceFlags: 1 })).end();
    late(errored);
    late(dropped);
    expect(exporter.getFinishedSpans().filter((s) => s.name === 'late').map((s) => s.spanContext().traceId)).toEqual([errored]);
  });

  it('decides a trace whose root never ends here once it times out', async () => {
    const { exporter, tracer, advance, processor } = setup(100);
    const root = tracer.startSpan('root-never-ends');
    tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, root)).end();
    expect(exporter.getFinishedSpans()).toEqual([]);
    advance(31_000);
    await processor.forceFlush();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['child']);
  });
});
