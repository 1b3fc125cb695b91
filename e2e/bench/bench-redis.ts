import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export interface BenchRedis {
  url: string;
  /** Where it runs: pinned to a core, or the shared server from the environment. */
  description: string;
  stop(): Promise<void>;
}

/** A free loopback port: bind port 0, read it, release it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPing(url: string, child: ChildProcess): Promise<void> {
  const giveUpAt = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    // Refused while the server starts: reported by connect(), not as an unhandled error event.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (error) {
      if (Date.now() > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      client.disconnect();
    }
  }
}

/**
 * The benchmark's own Redis, pinned to `core` (the load generator's): a shared system Redis
 * floats across both cores, and every limit script and XADD it runs on the gateway's core is a
 * context switch and cache pollution charged to the gateway (measured: added p50 at concurrency 1
 * 1.0 → 0.7 ms, gateway CPU per request 1.3 → 0.7 ms once Redis left core 0). In production Redis
 * runs on its own machine. Without `redis-server` on the PATH the shared `fallbackUrl` is used,
 * and the report says so.
 */
export async function startBenchRedis(core: number, fallbackUrl: string): Promise<BenchRedis> {
  const port = await freePort();
  const child = spawn('taskset', ['-c', String(core), 'redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true));
    child.once('error', () => resolve(false));
  });
  const url = `redis://127.0.0.1:${port}`;
  try {
    if (!spawned) throw new Error('taskset or redis-server not found');
    await waitForPing(url, child);
  } catch {
    child.kill('SIGKILL');
    return { url: fallbackUrl, description: `the shared Redis at ${fallbackUrl} (unpinned: redis-server could not be started)`, stop: async () => undefined };
  }
  return {
    url,
    description: `its own redis-server pinned to core ${core}`,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
