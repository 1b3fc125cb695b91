import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, isSpanContextValid, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { contextFromHeaders } from './trace-context';

export interface ServerSpan {
  /** Runs the request's handling with the span active, so what it does becomes the span's children. */
  run<T>(fn: () => T): T;
}

const UNTRACED: ServerSpan = { run: (fn) => fn() };

/**
 * The server span of one HTTP request (hand-written instead of @opentelemetry/instrumentation-http:
 * that one patches `http` for every process and traces probes and outgoing calls we do not want on
 * the hot path). Continues the caller's `traceparent`; named `<METHOD> <route template>`; ends when
 * the response closes, with its status: a 5xx or a response cut short marks it errored (4xx are the
 * caller's, as the HTTP conventions say). Without a tracing SDK the span is the no-op one and
 * nothing else is allocated.
 */
export function startServerSpan(tracerName: string, request: IncomingMessage, response: ServerResponse, route: string, attributes: Attributes = {}): ServerSpan {
  const parent = contextFromHeaders(request.headers);
  const method = request.method ?? 'GET';
  const span = trace.getTracer(tracerName).startSpan(`${method} ${route}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': route, ...attributes } }, parent);
  if (!isSpanContextValid(span.spanContext())) return UNTRACED;
  response.once('close', () => endServerSpan(span, response));
  const active = trace.setSpan(parent, span);
  return { run: (fn) => context.with(active, fn) };
}

/** A server span ended by its caller: for a request served in process, with no response stream to watch. */
export interface EndableServerSpan extends ServerSpan {
  /** Ends the span with the status the request was answered with (5xx marks it errored). */
  end(status: number): void;
}

const UNTRACED_ENDABLE: EndableServerSpan = { run: (fn) => fn(), end: () => undefined };

/**
 * The server span of a request handed over in process (a subgraph called by the gateway of the
 * same process): named and continued from `headers` exactly as `startServerSpan` does for HTTP.
 */
export function startInProcessServerSpan(tracerName: string, headers: Readonly<Record<string, string>>, method: string, route: string): EndableServerSpan {
  const parent = contextFromHeaders(headers);
  const span = trace.getTracer(tracerName).startSpan(`${method} ${route}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': route } }, parent);
  if (!isSpanContextValid(span.spanContext())) return UNTRACED_ENDABLE;
  const active = trace.setSpan(parent, span);
  return {
    run: (fn) => context.with(active, fn),
    end(status) {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
      span.end();
    },
  };
}

function endServerSpan(span: Span, response: ServerResponse): void {
  const status = response.statusCode;
  span.setAttribute('http.response.status_code', status);
  if (status >= 500 || !response.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR, message: response.writableFinished ? `HTTP ${status}` : 'response not completed' });
  span.end();
}
