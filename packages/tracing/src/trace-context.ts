import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';

/**
 * W3C trace context across process boundaries that are not HTTP calls (bus events) and for HTTP
 * servers without instrumentation. Only `@opentelemetry/api`: without a registered SDK the
 * propagator is the no-op one, so these cost a lookup and return nothing.
 */

/** The `traceparent` of the active span (to put into an event), or undefined when nothing is traced. */
export function currentTraceparent(active: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  return carrier.traceparent;
}

/** The context a `traceparent` names (an event's), as a remote parent; the root context when absent or malformed. */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (traceparent === undefined) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** The context an incoming request's headers carry (`traceparent`, `tracestate`, `baggage`). */
export function contextFromHeaders(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** Adds the active context's `traceparent` (and `tracestate`) to outgoing headers. */
export function injectTraceHeaders(headers: Record<string, string>, active: Context = context.active()): void {
  propagation.inject(active, headers);
}

/**
 * Runs `fn` in a span that continues `parent` (for a consumer: the event's traceparent), ending it
 * when `fn` settles and marking it errored when `fn` throws.
 */
export async function inSpanFrom<T>(
  tracerName: string,
  name: string,
  parent: Context,
  options: { kind?: SpanKind; attributes?: Attributes },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const tracer = trace.getTracer(tracerName);
  return tracer.startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {} }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

export { SpanKind };

export interface EventSpans {
  /** Ends every span, errored when `error` is given. */
  end(error?: unknown): void;
}

const NO_EVENT_SPANS: EventSpans = { end: () => undefined };

/**
 * One consumer span per event that carries a traceparent, each a child of its event's request:
 * a batch written in one transaction shows in every request's trace as the same write. Events
 * without a traceparent get none (no trace to join); without an SDK nothing is allocated.
 */
export function startEventSpans(tracerName: string, name: string, traceparents: Iterable<string | undefined>, attributes: Attributes = {}): EventSpans {
  const tracer = trace.getTracer(tracerName);
  const spans: Span[] = [];
  for (const traceparent of traceparents) {
    if (traceparent === undefined) continue;
    const span = tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes }, contextFromTraceparent(traceparent));
    if (!span.isRecording()) return NO_EVENT_SPANS;
    spans.push(span);
  }
  if (spans.length === 0) return NO_EVENT_SPANS;
  return {
    end(error) {
      for (const span of spans) {
        if (error !== undefined) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      }
    },
  };
}
