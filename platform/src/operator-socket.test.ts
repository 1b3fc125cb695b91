import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type Socket } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TenantsService } from '@switchyard/subgraph-tenants';
import { claimOperatorSocket, claimOperatorSocketForPlatform, OperatorSocketHeldError, probeOperatorSocket, reachOperator, type OperatorSocket } from './operator-socket';

function call(socketPath: string, method: string, route: string, body = ''): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sent = request({ socketPath, path: route, method }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    sent.once('error', reject);
    sent.end(body);
  });
}
const post = (socketPath: string, route: string, body: string) => call(socketPath, 'POST', route, body);

/** Unix socket paths must stay short (about 100 bytes): a short directory under /tmp. */
const shortTempDir = () => mkdtemp('/tmp/sy-op-');

/** A socket file whose process died without removing it (SIGKILL), as after a crash. */
async function leaveStaleSocket(socketPath: string): Promise<void> {
  const script = `require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`;
  await promisify(execFile)(process.execPath, ['-e', script]).catch(() => undefined);
  expect(existsSync(socketPath)).toBe(true);
  expect(await probeOperatorSocket(socketPath)).toEqual({ kind: 'stale' });
}

const fakeTenants = (secret: string) => ({ createApiKey: async () => ({ secret }) }) as unknown as TenantsService;

describe('operator socket: rotate-master-key', () => {
  let dir: string;
  let socketPath: string;
  let socket: OperatorSocket;
  const batches: number[] = [];

  beforeAll(async () => {
    dir = await shortTempDir();
    socketPath = path.join(dir, 'operator.sock');
    socket = await claimOperatorSocket({ socketPath, holder: 'platform' });
    socket.serve({
      tenants: {} as TenantsService,
      rotateMasterKey: async (batchSize, onProgress) => {
        batches.push(batchSize);
        if (batchSize === 13) throw new Error('data key 1 could not be rewrapped');
        onProgress({ rewrapped: batchSize, remaining: 1, activeKeyId: 'k2' });
        return { rewrapped: batchSize + 1, remaining: 0, activeKeyId: 'k2' };
      },
    });
  });
  afterAll(async () => {
    await socket?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('streams one progress line per batch, then the result', async () => {
    const reply = await post(socketPath, '/rotate-master-key', JSON.stringify({ batchSize: 2 }));
    expect(reply.status).toBe(200);
    expect(reply.text.trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([
      { progress: { rewrapped: 2, remaining: 1, activeKeyId: 'k2' } },
      { result: { rewrapped: 3, remaining: 0, activeKeyId: 'k2' } },
    ]);
  });

  it('reports a failed rotation as an error line, and refuses a bad batch size', async () => {
    expect(JSON.parse((await post(socketPath, '/rotate-master-key', JSON.stringify({ batchSize: 13 }))).text)).toEqual({ error: 'data key 1 could not be rewrapped' });
    const bad = await post(socketPath, '/rotate-master-key', JSON.stringify({ batchSize: 0 }));
    expect(bad.status).toBe(400);
    expect(batches).toEqual([2, 13]);
  });
});

describe('operator socket: the data dir lock, taken before anything starts', () => {
  let dir: string;
  let socketPath: string;
  const held: OperatorSocket[] = [];
  const claim = async (holder: 'platform' | 'admin-cli') => {
    const socket = await claimOperatorSocket({ socketPath, holder });
    held.push(socket);
    return socket;
  };

  beforeEach(async () => {
    dir = await shortTempDir();
    socketPath = path.join(dir, 'operator.sock');
  });
  afterEach(async () => {
    for (const socket of held.splice(0)) await socket.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second holder and names the first; the lock is free again once the first closes', async () => {
    const first = await claim('platform');
    const refused = await claimOperatorSocket({ socketPath, holder: 'platform' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OperatorSocketHeldError);
    expect((refused as OperatorSocketHeldError).status).toEqual({ holder: 'platform', state: 'starting', pid: process.pid });
    expect((refused as Error).message).toBe(
      `another Switchyard platform (pid ${process.pid}, starting) holds the embedded database in ${dir}: stop it first, or give this one another SWITCHYARD_DATA_DIR`,
    );
    // The first holder still answers: the refused claim did not disturb it.
    expect(JSON.parse((await call(socketPath, 'GET', '/status')).text)).toEqual({ holder: 'platform', state: 'starting', pid: process.pid });

    await first.close();
    held.splice(held.indexOf(first), 1);
    expect(existsSync(socketPath)).toBe(false);
    await claim('platform');
  });

  it('replaces a stale socket left by a process that died', async () => {
    await leaveStaleSocket(socketPath);
    await claim('platform');
    expect(await probeOperatorSocket(socketPath)).toEqual({ kind: 'held', status: { holder: 'platform', state: 'starting', pid: process.pid }, answered: true });
  });

  it('while another process takes over a stale socket, waits for it and then does not remove the socket it bound', async () => {
    await leaveStaleSocket(socketPath);
    // Another process is between "this socket is stale" and binding its own: it holds the takeover file.
    await writeFile(`${socketPath}.takeover`, String(process.pid));
    let settled = false;
    const late = claim('platform').finally(() => (settled = true));
    late.catch(() => undefined);
    await sleep(150);
    expect(settled).toBe(false);

    await unlink(socketPath);
    const winner = await claim('platform');
    await rm(`${socketPath}.takeover`);

    await expect(late).rejects.toBeInstanceOf(OperatorSocketHeldError);
    expect(existsSync(socketPath)).toBe(true);
    winner.serve({ tenants: fakeTenants('sk-sy-winner') });
    expect((await post(socketPath, '/keys', JSON.stringify({ tenant: 'demo', name: 'n' }))).text).toBe(JSON.stringify({ secret: 'sk-sy-winner' }));
  });

  it('removes a takeover file left by a process that died', async () => {
    await leaveStaleSocket(socketPath);
    await writeFile(`${socketPath}.takeover`, '2147483646');
    await claim('platform');
    expect(existsSync(`${socketPath}.takeover`)).toBe(false);
  });

  it('answers "starting" until the services are handed over, then serves the command', async () => {
    const socket = await claim('platform');
    const early = await post(socketPath, '/keys', JSON.stringify({ tenant: 'demo', name: 'early' }));
    expect(early.status).toBe(503);
    expect(JSON.parse(early.text)).toEqual({
      holder: 'platform',
      state: 'starting',
      pid: process.pid,
      error: 'the platform is still starting: operator commands are served once its database is ready',
    });

    socket.serve({ tenants: fakeTenants('sk-sy-served') });
    expect(JSON.parse((await call(socketPath, 'GET', '/status')).text)).toMatchObject({ state: 'ready' });
    const served = await post(socketPath, '/keys', JSON.stringify({ tenant: 'demo', name: 'later' }));
    expect(served).toEqual({ status: 200, text: JSON.stringify({ secret: 'sk-sy-served' }) });
  });

  it('reachOperator: waits for a starting platform with progress, then fails clearly past the bound', async () => {
    await claim('platform');
    const lines: string[] = [];
    const failed = await reachOperator({ socketPath, waitMs: 400, pollMs: 50, progress: (line) => lines.push(line) }).catch((error: Error) => error);
    expect((failed as Error).message).toMatch(
      new RegExp(
        `^the platform \\(pid ${process.pid}\\) on ${dir} is still starting after \\d+ s and does not serve operator commands yet \\(nothing was changed\\); try again in a moment, or wait longer with --wait <seconds>$`,
      ),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^waiting for the platform \\(pid ${process.pid}\\) to finish starting… \\(\\d+ s of at most 0 s\\)$`));
  });

  it('reachOperator: returns the platform once it serves within the bound', async () => {
    const socket = await claim('platform');
    const later = setTimeout(() => socket.serve({ tenants: fakeTenants('x') }), 300);
    try {
      const target = await reachOperator({ socketPath, waitMs: 10_000, pollMs: 50, progress: () => undefined });
      expect(target).toEqual({ kind: 'platform', status: { holder: 'platform', state: 'ready', pid: process.pid } });
    } finally {
      clearTimeout(later);
    }
  });

  it('reachOperator with no platform (or a stale socket): the CLI holds the lock itself, and a platform start is refused meanwhile', async () => {
    await leaveStaleSocket(socketPath);
    const target = await reachOperator({ socketPath, waitMs: 0, progress: () => undefined });
    if (target.kind !== 'locked') throw new Error(`expected the lock, got ${target.kind}`);
    held.push(target.lock);
    await expect(claimOperatorSocket({ socketPath, holder: 'platform' })).rejects.toThrow(
      `an operator command (npm run admin, pid ${process.pid}) holds the embedded database in ${dir} for a moment: try again when it has finished`,
    );
    await target.lock.close();
    held.splice(held.indexOf(target.lock), 1);
    await claim('platform');
  });

  it('reachOperator: a holder that accepts but does not answer (its event loop busy in PGlite) is waited for, not taken for a ready platform', async () => {
    const connections: Socket[] = [];
    const requests: string[] = [];
    const silent = createServer((connection) => {
      connections.push(connection);
      connection.on('data', (chunk: Buffer) => requests.push(chunk.toString('utf8').split('\r\n')[0] ?? ''));
    });
    await new Promise<void>((resolve) => silent.listen(socketPath, resolve));
    try {
      const failed = await reachOperator({ socketPath, waitMs: 200, pollMs: 50, progress: () => undefined }).catch((error: Error) => error);
      expect((failed as Error).message).toMatch(
        `a process holds the embedded database in ${dir} but does not answer on ${socketPath} (busy, or hung): try again in a moment, or stop it (waited `,
      );
      expect((failed as Error).message).toMatch(/\(waited \d+ s; wait longer with --wait <seconds>\)$/);
      // It never asked the silent holder to run a command: only the status probe reached it.
      expect(requests).toEqual(['GET /status HTTP/1.1']);
    } finally {
      for (const connection of connections) connection.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  }, 20_000);

  it('a starting platform waits for an operator command that holds the lock, then takes it', async () => {
    const command = await claim('admin-cli');
    const lines: string[] = [];
    let claimed = false;
    const platform = claimOperatorSocketForPlatform({ socketPath, progress: (line) => lines.push(line), waitMs: 10_000, pollMs: 50 }).then((socket) => {
      claimed = true;
      held.push(socket);
      return socket;
    });
    await sleep(300);
    expect(claimed).toBe(false);
    expect(lines).toEqual([`operator socket: waiting up to 10 s for the operator command (pid ${process.pid}) holding the embedded database to finish…`]);

    await command.close();
    held.splice(held.indexOf(command), 1);
    const socket = await platform;
    expect(await probeOperatorSocket(socket.socketPath)).toMatchObject({ kind: 'held', status: { holder: 'platform', state: 'starting' } });
  });

  it('a starting platform refuses another platform at once, and an operator command that outlasts the bound', async () => {
    const first = await claim('platform');
    const startedAt = Date.now();
    await expect(claimOperatorSocketForPlatform({ socketPath, progress: () => undefined, waitMs: 10_000 })).rejects.toThrow(/another Switchyard platform/);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    await first.close();
    held.splice(held.indexOf(first), 1);

    await claim('admin-cli');
    await expect(claimOperatorSocketForPlatform({ socketPath, progress: () => undefined, waitMs: 300, pollMs: 50 })).rejects.toThrow(/an operator command \(npm run admin, pid \d+\) holds the embedded database/);
  });
});
