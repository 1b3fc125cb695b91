import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of Postgres that counts database round trips: every simple query
 * ('Q') and every extended-protocol Sync ('S') a client sends is one request the server answers
 * before the client can go on. It reads the wire protocol, so it counts what any driver (pg under
 * Prisma's adapter, a raw pg client) really sends, whatever the code above it believes it does.
 */
export interface CountingPostgresProxy {
  /** `url` with host and port pointing at the proxy. */
  readonly url: string;
  /** Round trips since the last reset. */
  roundTrips(): number;
  reset(): void;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

export async function startCountingPostgresProxy(targetUrl: string): Promise<CountingPostgresProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || 5432);
  let count = 0;
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    const upstream = connect(targetPort, target.hostname);
    sockets.add(client).add(upstream);
    const forget = () => {
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', () => {
      upstream.destroy();
      forget();
    });
    upstream.on('close', () => {
      client.destroy();
      forget();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    upstream.pipe(client);

    // Frontend messages: the first has no type byte (startup, or an SSL/GSS request answered by one byte).
    let buffered = Buffer.alloc(0);
    let startedUp = false;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (!startedUp) {
          if (buffered.length < 8) return;
          const length = buffered.readInt32BE(0);
          if (buffered.length < length) return;
          const code = buffered.readInt32BE(4);
          buffered = buffered.subarray(length);
          if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) startedUp = true;
          continue;
        }
        if (buffered.length < 5) return;
        const length = buffered.readInt32BE(1);
        if (buffered.length < 1 + length) return;
        const type = String.fromCharCode(buffered[0] as number);
        if (type === 'Q' || type === 'S') count += 1;
        buffered = buffered.subarray(1 + length);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(targetUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String((server.address() as AddressInfo).port);

  return {
    url: proxied.toString(),
    roundTrips: () => count,
    reset: () => {
      count = 0;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
