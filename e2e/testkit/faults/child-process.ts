import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../platform-process';

// tsx as a loader in the child itself (`node --import tsx`), not its CLI: the CLI runs the entry in a
// grandchild, so a SIGKILL of the spawned pid left the real process running (a "crash" that crashed nothing).
const TSX_LOADER = pathToFileURL(path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export interface ChildUnderTest {
  pid: number;
  /** The first capture group of `ready` once it matched stdout. */
  readyValue: string;
  stdout(): string;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** SIGKILL now: no shutdown hooks, no drain (a crash). */
  kill(): Promise<void>;
}

/**
 * Runs a TypeScript entry point (path from the repo root) with tsx as its own OS process (a bundle,
 * `.mjs` from bundled-entry.ts, under plain node as production runs it) and waits until its stdout
 * (or, for a process that logs its readiness there, stderr) matches `ready`.
 */
export async function startChild(entry: string, env: Record<string, string>, ready: RegExp, name: string, options: { readyOn?: 'stdout' | 'stderr' } = {}): Promise<ChildUnderTest> {
  const readyOn = options.readyOn ?? 'stdout';
  const script = path.join(REPO_ROOT, entry);
  const args = entry.endsWith('.mjs') ? ['--enable-source-maps', script] : ['--import', TSX_LOADER, script];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1', NODE_OPTIONS: '--experimental-wasm-modules', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString()).slice(-200_000)));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
    if (process.env.SWITCHYARD_E2E_VERBOSE) process.stderr.write(`[${name}] ${chunk.toString()}`);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const readyValue = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready after 120 s\n${stderr}`)), 120_000);
    const watched = readyOn === 'stdout' ? child.stdout : child.stderr;
    const onData = () => {
      const match = ready.exec(readyOn === 'stdout' ? stdout : stderr);
      if (!match) return;
      clearTimeout(timer);
      watched?.off('data', onData);
      resolve(match[1] ?? '');
    };
    watched?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}\n${stderr}`));
    });
  });
  return {
    pid: child.pid as number,
    readyValue,
    stdout: () => stdout,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(force);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
