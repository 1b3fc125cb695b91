import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/data-plane-harness';

/** What Node's HTTP parser refuses, answered in the OpenAI error shape over a raw socket (http/client-error.ts). */
const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
});

/** Writes `bytes` to the harness's port and reads until the server closes the connection. */
function raw(h: Harness, bytes: string): Promise<string> {
  const { port } = new URL(h.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.setTimeout(10_000, () => socket.destroy(new Error('the server did not close the connection')));
    socket.end(bytes);
  });
}

function parse(response: string): { status: number; headers: Record<string, string>; body: unknown } {
  const [head = '', body = ''] = response.split('\r\n\r\n', 2);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  expect(Number(headers['content-length'])).toBe(Buffer.byteLength(body));
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) };
}

async function stillServes(h: Harness): Promise<void> {
  const response = await fetch(`${h.url}/healthz`);
  expect(response.status).toBe(200);
}

describe('errors below the application', () => {
  it('a 20 KB header line gets 431 in the OpenAI error shape, Connection: close, and the server stays up', async () => {
    const h = await startHarness();
    harnesses.push(h);
    const answer = parse(await raw(h, `GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`));
    expect(answer.status).toBe(431);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['connection']).toBe('close');
    expect(answer.body).toEqual({ error: { message: expect.stringContaining('headers are larger') as unknown, type: 'invalid_request_error', param: null, code: 'request_headers_too_large' } });
    await stillServes(h);
  });

  it('a garbage request line gets 400 in the OpenAI error shape, and the server stays up', async () => {
    const h = await startHarness();
    harnesses.push(h);
    for (const garbage of ['\x00\x01\x02 garbage\r\n\r\n', 'GET /v1/models SPDY/9\r\nHost: x\r\n\r\n', 'G@T / HTTP/1.1\r\nHost: x\r\n\r\n']) {
      const answer = parse(await raw(h, garbage));
      expect(answer.status).toBe(400);
      expect(answer.headers['connection']).toBe('close');
      expect(answer.body).toEqual({ error: { message: expect.stringContaining('not valid HTTP/1.1') as unknown, type: 'invalid_request_error', param: null, code: 'malformed_request' } });
    }
    await stillServes(h);
  });

  it('a malformed request after a served one on the same connection gets its own answer', async () => {
    const h = await startHarness();
    harnesses.push(h);
    const text = await raw(h, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nBAD REQUEST LINE\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const second = text.slice(text.indexOf('HTTP/1.1 400'));
    expect(parse(second).body).toMatchObject({ error: { code: 'malformed_request' } });
    await stillServes(h);
  });
  it('a malformed request pipelined after a streamed answer still being written waits for it: the stream completes, then the 400', async () => {
    const h = await startHarness();
    harnesses.push(h);
    const body = JSON.stringify({ model: 'mock-gpt', stream: true, messages: [{ role: 'user', content: 'tell me a long story' }], max_tokens: 50 });
    const chat = `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${h.secret}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const text = await raw(h, `${chat}BAD REQUEST LINE\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const refusal = text.indexOf('HTTP/1.1 400');
    expect(refusal).toBeGreaterThan(text.indexOf('data: [DONE]'));
    expect(text.indexOf('data: [DONE]')).toBeGreaterThan(0);
    expect(parse(text.slice(refusal)).body).toMatchObject({ error: { code: 'malformed_request' } });
    await stillServes(h);
  });
});
