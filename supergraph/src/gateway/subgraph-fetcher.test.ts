import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSubgraphFetcher, FetchError } from './subgraph-fetcher';

const ANSWER = '{"data":{"ok":true}}';
const ok = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: keep-alive\r\ncontent-length: ${ANSWER.length}\r\n\r\n${ANSWER}`;

/**
 * A raw loopback server whose `onRequest(socket, n, connection)` decides, per request, whether to
 * answer or to reset the connection (n = 1, 2, ... on that connection; connections counted from 1).
 */
async function rawServer(onRequest: (socket: Socket, requestOnConnection: number, connection: number) => void): Promise<{ url: string; connections: () => number; server: Server }> {
  let connections = 0;
  const server = createServer((socket) => {
    const connection = (connections += 1);
    let seen = 0;
    socket.on('data', (bytes) => {
      // One small request per write from the client (tests only): count request heads.
      seen += bytes.toString('latin1').split('\r\n\r\n').length - 1;
      onRequest(socket, seen, connection);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, connections: () => connections, server };
}

const post = { method: 'POST', body: '{"query":"{ ok }"}', headers: { 'content-type': 'application/json' } };
const mutation = { ...post, body: '{"query":"mutation Create__tenants__0 { createApiKey { id } }"}' };
let cleanUp: Array<() => void> = [];
afterEach(() => {
  for (const step of cleanUp) step();
  cleanUp = [];
});

describe('subgraph fetcher', () => {
  it('sends a request again on a new connection when the subgraph closed the kept-alive socket it reused', async () => {
    // The first request on each connection is answered; the second on the same connection is met
    // by a reset, as when the subgraph's keep-alive timeout closes an idle socket as it is reused.
    const subgraph = await rawServer((socket, n) => (n === 1 ? socket.write(ok) : socket.resetAndDestroy()));
    const { fetcher, close } = createSubgraphFetcher();
    cleanUp.push(close, () => subgraph.server.close());

    expect(await (await fetcher(subgraph.url, post)).text()).toBe(ANSWER);
    const second = await fetcher(subgraph.url, post);
    expect(second.status).toBe(200);
    expect(await second.text()).toBe(ANSWER);
    expect(subgraph.connections()).toBe(2);
  });

  it('does not send again a request whose fresh connection failed', async () => {
    const subgraph = await rawServer((socket) => socket.resetAndDestroy());
    const { fetcher, close } = createSubgraphFetcher();
    cleanUp.push(close, () => subgraph.server.close());

    await expect(fetcher(subgraph.url, post)).rejects.toBeInstanceOf(FetchError);
    expect(subgraph.connections()).toBe(1);
  });

  it('sends again at most once', async () => {
    // Only the first connection's first request is answered: the resent request's fresh connection is reset too.
    const subgraph = await rawServer((socket, n, connection) => (n === 1 && connection === 1 ? socket.write(ok) : socket.resetAndDestroy()));
    const { fetcher, close } = createSubgraphFetcher();
    cleanUp.push(close, () => subgraph.server.close());

    await fetcher(subgraph.url, post);
    await expect(fetcher(subgraph.url, post)).rejects.toBeInstanceOf(FetchError);
    expect(subgraph.connections()).toBe(2);
  });

  it('never sends a mutation twice: a reset does not prove the subgraph did not run it', async () => {
    const subgraph = await rawServer((socket, n) => (n === 1 ? socket.write(ok) : socket.resetAndDestroy()));
    const { fetcher, close } = createSubgraphFetcher();
    cleanUp.push(close, () => subgraph.server.close());

    await fetcher(subgraph.url, post);
    await expect(fetcher(subgraph.url, mutation)).rejects.toBeInstanceOf(FetchError);
    expect(subgraph.connections()).toBe(1);
  });
});
