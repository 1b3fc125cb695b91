import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, seed } from '@switchyard/db';
import type { TenantsService } from '@switchyard/subgraph-tenants';
import { REPO_ROOT } from './config';
import { claimOperatorSocket, claimOperatorSocketForPlatform, operatorSocketPath, OperatorSocketHeldError, probeOperatorSocket, type OperatorSocket } from './operator-socket';

// The operator CLI as a separate process against a data dir whose operator socket this test
// (or a child standing in for the platform) holds: what a person sees while `npm start` runs.
const run = promisify(execFile);
const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const CLI = path.join(REPO_ROOT, 'platform', 'src', 'admin-cli.ts');
const DYING_PLATFORM = path.join(REPO_ROOT, 'platform', 'src', 'test-support', 'dying-platform.ts');

function cliEnvironment(dataDir: string): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SWITCHYARD_') && name !== 'DATABASE_URL' && name !== 'REDIS_URL'));
  return { ...inherited, APOLLO_TELEMETRY_DISABLED: '1', NODE_OPTIONS: '--experimental-wasm-modules', SWITCHYARD_DATA_DIR: dataDir };
}
const admin = (args: string[], dataDir: string) => run(TSX, [CLI, ...args], { cwd: REPO_ROOT, env: cliEnvironment(dataDir) });

describe('npm run admin -- key create, against the embedded database of a platform', () => {
  let dataDir: string;
  let socketPath: string;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeEach(async () => {
    // Unix socket paths must stay short (about 100 bytes).
    dataDir = await mkdtemp('/tmp/sy-op-');
    socketPath = operatorSocketPath(dataDir);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });
  const holdAsPlatform = async (): Promise<OperatorSocket> => {
    const socket = await claimOperatorSocket({ socketPath, holder: 'platform' });
    cleanups.push(() => socket.close());
    return socket;
  };

  it('waits for a platform that is still starting, then fails non-zero past --wait without printing a key', async () => {
    await holdAsPlatform();
    const failed = await admin(['key', 'create', '--tenant', 'demo', '--wait', '1'], dataDir).catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: 1, stdout: '' });
    const { stderr } = failed as { stderr: string };
    expect(stderr).toMatch(/waiting for the platform \(pid \d+\) to finish starting/);
    expect(stderr).toMatch(new RegExp(`key create failed: the platform \\(pid ${process.pid}\\) on ${dataDir} is still starting after \\d+ s and does not serve operator commands yet \\(nothing was changed\\)`));
  });

  it('prints the key the platform created once it serves within --wait; stdout is only the key', async () => {
    const socket = await holdAsPlatform();
    const requested: Array<{ tenantSlug: string | undefined; name: string | undefined }> = [];
    const tenants: Pick<TenantsService, 'createApiKey'> = {
      createApiKey: async (input) => {
        requested.push({ tenantSlug: input.tenantSlug, name: input.name });
        return { secret: 'sk-sy-from-the-platform' } as Awaited<ReturnType<TenantsService['createApiKey']>>;
      },
    };
    // The platform finishes starting once the CLI says it waits for it (a timer raced the CLI's own start-up on a busy machine).
    const cli = spawn(TSX, [CLI, 'key', 'create', '--tenant', 'demo', '--name', 'ci', '--wait', '60'], { cwd: REPO_ROOT, env: cliEnvironment(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(async () => cli.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    cli.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    cli.stderr?.on('data', (chunk: Buffer) => {
      const waitingBefore = stderr.includes('waiting for the platform');
      stderr += chunk.toString();
      if (!waitingBefore && stderr.includes('waiting for the platform')) socket.serve({ tenants: tenants as TenantsService });
    });
    const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
    expect(code).toBe(0);
    expect(stdout).toBe('sk-sy-from-the-platform\n');
    expect(stderr).toMatch(/waiting for the platform \(pid \d+\) to finish starting/);
    expect(requested).toEqual([{ tenantSlug: 'demo', name: 'ci' }]);
  });

  it('fails non-zero, without a key and without opening the database itself, when the platform dies before answering', async () => {
    // Loaded through tsx's hooks in this very node process, so its pid is the one the socket reports.
    const platform: ChildProcess = spawn(process.execPath, ['--import', 'tsx', DYING_PLATFORM, socketPath], { cwd: REPO_ROOT, env: cliEnvironment(dataDir), stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(async () => platform.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      platform.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('serving') && resolve());
      platform.once('exit', (code) => reject(new Error(`the stand-in platform exited with ${code}`)));
    });

    const failed = await admin(['key', 'create', '--tenant', 'demo', '--wait', '5'], dataDir).catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: 1, stdout: '' });
    expect((failed as { stderr: string }).stderr).toContain(`key create failed: the platform (pid ${platform.pid}) holding ${dataDir} went away before answering (ECONNRESET); whether the command took effect is unknown`);
    // It did not fall back to the embedded database (that would be a second key, or a write beside a live platform).
    expect(existsSync(path.join(dataDir, 'pglite'))).toBe(false);
    // The socket its owner left behind is stale now, and the next holder replaces it.
    expect(await probeOperatorSocket(socketPath)).toEqual({ kind: 'stale' });
    await holdAsPlatform();
  });

  it('with no platform and no embedded database yet, says so instead of creating an empty one', async () => {
    const failed = await admin(['key', 'create', '--tenant', 'demo'], dataDir).catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: 1, stdout: '' });
    expect((failed as { stderr: string }).stderr).toContain(`key create failed: there is no embedded database in ${dataDir} yet: npm start creates it (with the demo tenant) on its first start`);
    expect(existsSync(path.join(dataDir, 'pglite'))).toBe(false);
    expect(existsSync(socketPath)).toBe(false);
  });

  it('with no platform running, opens the embedded database itself while holding the lock: a platform start waits for it', async () => {
    const db = await createDatabase({ dataDir: path.join(dataDir, 'pglite') });
    await db.migrate();
    await seed(db);
    await db.close();
    // A crashed platform's socket is no obstacle: nobody holds the database.
    const stale = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    await new Promise((resolve) => stale.once('exit', resolve));
    expect(await probeOperatorSocket(socketPath)).toEqual({ kind: 'stale' });

    const cli = admin(['key', 'create', '--tenant', 'demo'], dataDir);
    cli.catch(() => undefined);
    let seen = await probeOperatorSocket(socketPath);
    for (const deadline = Date.now() + 60_000; !(seen.kind === 'held' && seen.status?.holder === 'admin-cli') && Date.now() < deadline; seen = await probeOperatorSocket(socketPath)) await sleep(20);
    expect(seen).toMatchObject({ kind: 'held', status: { holder: 'admin-cli', state: 'busy' } });
    // A bare claim is refused (the command may be too busy in PGlite to say who it is)…
    const refused = await claimOperatorSocket({ socketPath, holder: 'platform' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OperatorSocketHeldError);
    if ((refused as OperatorSocketHeldError).answered) expect((refused as OperatorSocketHeldError).status).toMatchObject({ holder: 'admin-cli' });
    // …and a platform's start waits for the command to finish before it takes the lock.
    let cliDone = false;
    const done = cli.then((result) => {
      cliDone = true;
      return result;
    });
    const platform = await claimOperatorSocketForPlatform({ socketPath, progress: () => undefined, waitMs: 120_000 });
    cleanups.push(() => platform.close());
    const { stdout } = await done;
    expect(cliDone).toBe(true);
    expect(stdout).toMatch(/^sk-sy-[A-Za-z0-9_-]{43}\n$/);
  }, 180_000);
});
