import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpDrain, type HttpDrain } from './drain';

const servers: http.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.closeAllConnections();
});

async function serve(): Promise<{ port: number; drain: HttpDrain }> {
  const server = http.createServer((request, response) => {
    if (!drain.admit(request, response)) return;
    if (request.url === '/slow') setTimeout(() => response.end('slow'), 500);
    else if (request.url === '/hang') response.write('started');
    else response.end('ok');
  });
  const drain: HttpDrain = createHttpDrain(server, (response) => {
    response.writeHead(503, { 'retry-after': '1' });
    response.end('shutting down');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, drain };
}

/** Sends raw (pipelined) HTTP/1.1 on one connection; resolves with everything received until the server closes it. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

describe('HTTP drain', () => {
  it('refuses a request arriving on a kept-alive connection after the grace with 503, Retry-After and Connection: close', async () => {
    const { port, drain } = await serve();
    // A kept-alive connection: one request answered before the drain, the next one sent after the grace.
    let received = '';
    const socket = net.connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\n');
    for (const giveUpAt = Date.now() + 2_000; !received.includes('ok') && Date.now() < giveUpAt; ) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(received).not.toMatch(/connection: close/i);
    // Another connection's request is still in flight, so the server is still up after the grace.
    const slow = raw(port, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(drain.draining).toBe(false);
    const drained = drain.drain({ graceMs: 100, timeoutMs: 5_000 });
    expect(drain.draining).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 250));
    socket.write('GET /next HTTP/1.1\r\nHost: x\r\n\r\n');
    await closed;
    expect(await slow).toContain('slow');
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(2);
    expect(answers[1]).toMatch(/^HTTP\/1\.1 503/);
    expect(answers[1]).toMatch(/retry-after: 1/i);
    expect(answers[1]).toMatch(/connection: close/i);
    await expect(drained).resolves.toEqual({ timedOut: false });
  });

  it('tells a request in flight when the drain begins to close its connection', async () => {
    const { port, drain } = await serve();
    const received = raw(port, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const drained = drain.drain({ graceMs: 0, timeoutMs: 5_000 });
    const text = await received;
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(text).toMatch(/connection: close/i);
    await expect(drained).resolves.toEqual({ timedOut: false });
  });

  it('serves new requests during the grace with Connection: close', async () => {
    const { port, drain } = await serve();
    const drained = drain.drain({ graceMs: 300, timeoutMs: 1_000 });
    const text = await raw(port, 'GET /fast HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(text).toMatch(/connection: close/i);
    await expect(drained).resolves.toEqual({ timedOut: false });
  });

  it('cuts what is still in flight after the timeout, and says so', async () => {
    const { port, drain } = await serve();
    const received = raw(port, 'GET /hang HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const startedAt = Date.now();
    await expect(drain.drain({ graceMs: 0, timeoutMs: 200 })).resolves.toEqual({ timedOut: true });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(await received).toContain('started');
  });
});
