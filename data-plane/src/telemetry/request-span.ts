import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, isSpanContextValid, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { SWITCHYARD } from '@switchyard/tracing';
import { contextFromHeaders } from '@switchyard/tracing/context';

const tracer = trace.getTracer('@switchyard/data-plane');

export interface RequestSpan {
  /** Runs the request's handling with the span active, so the steps become its children. */
  run<T>(fn: () => T): T;
}

const UNTRACED: RequestSpan = { run: (fn) => fn() };

/**
 * The server span of one API request: the trace's root in this process, continuing the client's
 * `traceparent` when it sent one. Ends when the response closes, with its status; a 5xx marks it
 * errored (4xx are the client's, as OpenTelemetry's HTTP conventions say). Without a tracing SDK
 * the span is the no-op one and nothing else is allocated.
 */
export function startRequestSpan(request: IncomingMessage, response: ServerResponse, route: string, requestId: string): RequestSpan {
  const parent = contextFromHeaders(request.headers);
  const span = tracer.startSpan(
    `${request.method ?? 'GET'} ${route}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method ?? 'GET', 'http.route': route, [SWITCHYARD.requestId]: requestId } },
    parent,
  );
  if (!isSpanContextValid(span.spanContext())) return UNTRACED;
  response.once('close', () => endRequestSpan(span, response));
  const active = trace.setSpan(parent, span);
  return { run: (fn) => context.with(active, fn) };
}

function endRequestSpan(span: Span, response: ServerResponse): void {
  const status = response.statusCode;
  span.setAttribute('http.response.status_code', status);
  if (status >= 500 || !response.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR, message: response.writableFinished ? `HTTP ${status}` : 'response not completed' });
  span.end();
}

/** The request's server span while handling it (to add tenant, model, route and decision), or undefined when not traced. */
export function activeRequestSpan(): Span | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span : undefined;
}
