import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { holdLastByte, type HeldLastByte } from './hold-last-byte';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server whose handler writes `chunks`, ends with `last`, and hands the test the hold. */
async function serve(handler: (hold: (held: HeldLastByte) => void) => (response: ServerResponse) => void): Promise<{ url: string; held: Promise<HeldLastByte> }> {
  let give: (held: HeldLastByte) => void = () => undefined;
  const held = new Promise<HeldLastByte>((resolve) => (give = resolve));
  server = createServer((_request, response) => handler(give)(response));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, held };
}

/** Reads the response as it arrives: what came so far, and whether it ended. */
function read(url: string) {
  const state = { body: '', ended: false };
  const done = new Promise<void>((resolve, reject) => {
    request(url, (response) => {
      response.on('data', (chunk: Buffer) => (state.body += chunk.toString()));
      response.on('end', () => {
        state.ended = true;
        resolve();
      });
    })
      .on('error', reject)
      .end();
  });
  return { state, done };
}

const turn = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('holdLastByte', () => {
  it('lets a stream\'s chunks out but holds its end (the closing bytes) until released', async () => {
    const { url, held } = await serve((give) => (response) => {
      const hold = holdLastByte(response);
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: one\n\n');
      response.end('data: [DONE]\n\n');
      give(hold);
    });
    const { state, done } = read(url);
    const hold = await held;
    while (!state.body.includes('one')) await turn();
    await turn();
    expect(state).toEqual({ body: 'data: one\n\n', ended: false });
    hold.release();
    await done;
    expect(state).toEqual({ body: 'data: one\n\ndata: [DONE]\n\n', ended: true });
  });

  it('holds a buffered body whole (status and headers too), and release is idempotent', async () => {
    let ended = 0;
    const { url, held } = await serve((give) => (response) => {
      const hold = holdLastByte(response);
      response.once('finish', () => (ended += 1));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"ok":true}');
      give(hold);
    });
    const { state, done } = read(url);
    const hold = await held;
    await turn();
    expect(state).toEqual({ body: '', ended: false });
    hold.release();
    hold.release();
    await done;
    expect(state).toEqual({ body: '{"ok":true}', ended: true });
    expect(ended).toBe(1);
  });

  it('after release, end() goes straight through; a release without any end() sends nothing by itself', async () => {
    const { url, held } = await serve((give) => (response) => {
      const hold = holdLastByte(response);
      hold.release();
      give(hold);
      setTimeout(() => response.end('late'), 10);
    });
    const { state, done } = read(url);
    await held;
    await done;
    expect(state).toEqual({ body: 'late', ended: true });
  });
});
