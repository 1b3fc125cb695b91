import type { Server, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** What Node's HTTP parser refused before any request handler ran, by the status it deserves. */
export type ClientErrorKind = 'header_too_large' | 'timeout' | 'malformed';

const STATUS_OF: Record<ClientErrorKind, number> = { header_too_large: 431, timeout: 408, malformed: 400 };

/** The response body a server gives for a refused request (its own error shape). */
export interface ClientErrorBody {
  contentType: string;
  body: string;
}

export interface ClientErrorAnswer {
  /** The body for a refusal of this kind at this status. */
  render(kind: ClientErrorKind, status: number): ClientErrorBody;
  /** Told once per refused connection (one log line, never a stack). */
  onRefused?: (kind: ClientErrorKind, status: number, code: string | undefined) => void;
}

/** How long a refused client gets to read the answer before its socket is destroyed. */
const LINGER_MS = 1_000;

function kindOf(error: NodeJS.ErrnoException): ClientErrorKind {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'header_too_large';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'timeout';
  return 'malformed';
}

/**
 * Answers what Node's HTTP parser refuses (431 for headers over the limit, 408 for headers too slow,
 * 400 for a malformed request line, header or framing) with a real HTTP response in the server's own
 * error shape and `Connection: close`, then destroys the socket; Node's default answers with an
 * empty body. Nothing is written when the client is gone (ECONNRESET) or when a response on this
 * connection is still being written (a pipelined request after it failed to parse): bytes written
 * then would corrupt that response, so the socket is only destroyed. After responses that have
 * ended, the answer follows them in order.
 */
export function answerClientErrors(server: Server, answer: ClientErrorAnswer): void {
  // Responses per socket until they close: an error response must not be interleaved with one still being written.
  const responses = new WeakMap<Duplex, Set<ServerResponse>>();
  server.on('request', (request, response) => {
    const socket = request.socket;
    const open = responses.get(socket) ?? new Set<ServerResponse>();
    responses.set(socket, open);
    open.add(response);
    response.once('close', () => open.delete(response));
  });
  const writing = (socket: Duplex) => [...(responses.get(socket) ?? [])].some((response) => !response.writableEnded);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable || writing(socket)) {
      socket.destroy();
      return;
    }
    const kind = kindOf(error);
    const status = STATUS_OF[kind];
    answer.onRefused?.(kind, status, error.code);
    const { contentType, body } = answer.render(kind, status);
    const head = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
      `Content-Type: ${contentType}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Cache-Control: no-store',
      'Connection: close',
      '',
      '',
    ].join('\r\n');
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.end(head + body, () => {
      clearTimeout(timer);
      socket.destroy();
    });
  });
}
