import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP proxy on port 0 in front of a real service (Redis), so a test can take the service away
 * from one client without touching the machine's Redis:
 * - `cut()`: every connection is reset and new ones are reset on arrival (Redis "down");
 * - `blackhole()`: connections are accepted and kept, bytes go nowhere (Redis hung or partitioned);
 * - `restore()`: forward again (existing black-holed connections are reset so clients reconnect).
 */
export interface TcpProxy {
  port: number;
  url: string;
  mode(): ProxyMode;
  cut(): void;
  blackhole(): void;
  restore(): void;
  close(): Promise<void>;
}

type ProxyMode = 'forward' | 'cut' | 'blackhole';

export async function startTcpProxy(target: { host: string; port: number }, scheme = 'redis'): Promise<TcpProxy> {
  let mode: ProxyMode = 'forward';
  const pairs = new Set<{ client: Socket; upstream: Socket | undefined }>();

  const server = createServer((client) => {
    const pair: { client: Socket; upstream: Socket | undefined } = { client, upstream: undefined };
    pairs.add(pair);
    client.once('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    client.on('error', () => undefined);
    if (mode === 'cut') return client.resetAndDestroy();
    if (mode === 'blackhole') return client.resume(); // Read and drop; never answer.
    const upstream = connect(target.port, target.host);
    pair.upstream = upstream;
    // In black-hole mode the upstream goes away but the client must see nothing at all.
    upstream.on('error', () => {
      if (mode !== 'blackhole') client.destroy();
    });
    upstream.once('close', () => {
      if (mode !== 'blackhole') client.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });

  const resetAll = (): void => {
    for (const { client, upstream } of pairs) {
      upstream?.destroy();
      client.resetAndDestroy();
    }
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    mode: () => mode,
    cut() {
      mode = 'cut';
      resetAll();
    },
    blackhole() {
      mode = 'blackhole';
      for (const pair of pairs) {
        // Keep the client's socket open but stop forwarding in both directions.
        pair.client.unpipe();
        pair.upstream?.unpipe();
        pair.upstream?.destroy();
        pair.client.resume();
      }
    },
    restore() {
      if (mode === 'blackhole') resetAll();
      mode = 'forward';
    },
    close: () =>
      new Promise<void>((resolve) => {
        resetAll();
        server.close(() => resolve());
      }),
  };
}
