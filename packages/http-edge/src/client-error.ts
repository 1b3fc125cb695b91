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
 * empty body. Nothing is written when the client is gone (ECONNRESET). When requests parsed before
 * the bad one (pipelined) are still being answered, the refusal waits until their responses are done,
 * so it is never spliced into one; it then follows them in order.
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
  const unfinished = (socket: Duplex) => [...(responses.get(socket) ?? [])].filter((response) => !response.writableEnded);

  function refuse(error: NodeJS.ErrnoException, socket: Duplex): void {
    if (!socket.writable) {
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
  }

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    // Requests parsed before the bad one are answered first (in order), then the refusal.
    const pending = unfinished(socket);
    if (pending.length === 0) return refuse(error, socket);
    void Promise.all(pending.map((response) => new Promise((resolve) => response.once('close', resolve)))).then(() => refuse(error, socket));
  });
}
