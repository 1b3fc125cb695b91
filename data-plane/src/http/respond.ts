import type { ServerResponse } from 'node:http';
import type { ApiError } from '../errors';

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

export function sendError(response: ServerResponse, error: ApiError): void {
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  sendJson(response, error.status, error.toBody(), headers);
}

/**
 * `headers: 'with-first-frame'`: the caller writes its first frame at once, so the headers go out in
 * the same socket write as that frame instead of in a write (and a packet) of their own.
 */
export function startEventStream(response: ServerResponse, headers: 'now' | 'with-first-frame' = 'now'): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    // Stop reverse proxies (nginx) from buffering the stream.
    'x-accel-buffering': 'no',
  });
  if (headers === 'now') response.flushHeaders();
}
