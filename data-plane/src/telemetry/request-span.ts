import type { IncomingMessage, ServerResponse } from 'node:http';
import { trace, type Span } from '@opentelemetry/api';
import { SWITCHYARD } from '@switchyard/tracing';
import { startServerSpan, type ServerSpan } from '@switchyard/tracing/http';

/** The server span of one API request: the trace's root in the data plane, continuing the client's `traceparent`. */
export function startRequestSpan(request: IncomingMessage, response: ServerResponse, route: string, requestId: string): ServerSpan {
  return startServerSpan('@switchyard/data-plane', request, response, route, { [SWITCHYARD.requestId]: requestId });
}

/** The request's server span while handling it (to add tenant, model, route and decision), or undefined when not traced. */
export function activeRequestSpan(): Span | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span : undefined;
}
