import { connect } from 'node:net';

export interface RawHttpAnswer {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string;
}

/** Writes `bytes` to 127.0.0.1:`port` as they are (no HTTP client in between) and reads until the server closes the connection. */
export function rawHttpExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.setTimeout(10_000, () => socket.destroy(new Error('the server did not close the connection')));
    socket.end(bytes);
  });
}

/** The first response of a raw exchange. */
export function parseRawHttpAnswer(text: string): RawHttpAnswer {
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  const length = Number(headers['content-length'] ?? 0);
  const body = end < 0 ? '' : Buffer.from(text.slice(end + 4)).subarray(0, length).toString('utf8');
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/** Request bytes Node's parser refuses: a header line over the 16 KiB limit, and malformed request lines. */
export const OVERSIZED_HEADER_REQUEST = `POST /graphql HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`;
export const MALFORMED_REQUESTS = ['\x00\x01\x02 garbage\r\n\r\n', 'POST /graphql SPDY/9\r\nHost: x\r\n\r\n', 'G@T / HTTP/1.1\r\nHost: x\r\n\r\n'] as const;
