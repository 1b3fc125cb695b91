import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** A redis-server of its own on a free loopback port, nothing persisted: a second region's Redis (the data plane tests have the same helper; e2e imports no package's src). */
export interface ThrowawayRedis {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  // A port another process takes between probe and bind makes redis-server exit: try a few.
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const port = await freePort();
    const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const url = `redis://127.0.0.1:${port}`;
    let up = false;
    for (let wait = 0; wait < 50 && child.exitCode === null && !up; wait += 1) {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      up = await probe.connect().then(
        () => probe.ping().then(() => true),
        () => new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100)),
      );
      probe.disconnect();
    }
    if (up) {
      return {
        url,
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    }
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  }
  throw new Error('could not start a throwaway redis-server');
}
