import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type AddressInfo } from 'node:net';
import { bundleService } from '@switchyard/service-bundle';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newKeys, proofFrom, signedAt, testLog } from '../test-support';

/**
 * The witness's production artifact (the image's bundle step) under plain node on the embedded
 * default: it takes a region's checkpoints, keeps them across a restart (PGlite in its data dir),
 * refuses a rollback after it, and drains on SIGTERM.
 */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const keys = newKeys();
const log = testLog(8);
let outDir: string;
let dataDir: string;
let outfile: string;
let child: ChildProcess | undefined;
let port: number;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as AddressInfo;
      server.close(() => resolve(free));
    });
    server.on('error', reject);
  });

async function start(): Promise<void> {
  port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    WITNESS_REGIONS: JSON.stringify([{ name: 'region-a', publicKeys: [keys.publicKey.export({ format: 'jwk' }).x] }]),
    SWITCHYARD_DATA_DIR: dataDir,
    WITNESS_PORT: String(port),
  };
  child = spawn(process.execPath, [outfile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  await vi.waitFor(async () => expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200), { timeout: 30_000, interval: 100 });
}
async function stop(): Promise<number | null> {
  const running = child;
  if (!running || running.exitCode !== null) return running?.exitCode ?? null;
  const exited = new Promise<number | null>((resolve) => running.once('exit', (code) => resolve(code)));
  running.kill('SIGTERM');
  return exited;
}
const url = () => `http://127.0.0.1:${port}/witness/v1/regions/region-a/checkpoints`;
const post = (body: unknown) => fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  // Beside the package, so the bundle resolves its external npm packages from node_modules as dist/ does.
  outDir = await mkdtemp(path.join(PACKAGE_ROOT, '.bundle-test-'));
  dataDir = await mkdtemp(path.join(tmpdir(), 'witness-bundle-'));
  outfile = path.join(outDir, 'audit-witness.mjs');
  await bundleService(path.join(PACKAGE_ROOT, 'src/main.ts'), outfile);
}, 60_000);
afterAll(async () => {
  await stop();
  await rm(outDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

describe('audit witness bundle', () => {
  it('witnesses checkpoints under plain node, keeps them across a restart and exits 0 on SIGTERM', async () => {
    await start();
    expect((await post(signedAt(log, 4, keys.privateKey))).status).toBe(201);
    expect((await post({ ...signedAt(log, 8, keys.privateKey), consistency: proofFrom(log, 4, 8) })).status).toBe(201);
    expect(await stop()).toBe(0);

    await start();
    const held = (await (await fetch(url())).json()) as { checkpoints: Array<{ treeSize: number }> };
    expect(held.checkpoints.map((checkpoint) => checkpoint.treeSize)).toEqual([4, 8]);
    const rollback = await post(signedAt(log, 6, keys.privateKey));
    expect([rollback.status, ((await rollback.json()) as { error: { code: string } }).error.code]).toEqual([409, 'checkpoint_rollback']);
    expect(await stop()).toBe(0);
  });
});
