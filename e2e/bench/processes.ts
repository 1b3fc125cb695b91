import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');

/** The Node flags a production data plane runs with (why each: data-plane/src/build/node-flags.ts). */
export { DATA_PLANE_NODE_FLAGS } from '@switchyard/data-plane/node-flags';

export interface BenchProcess<T> {
  info: T;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Start `script` pinned to `core` with taskset and read its one-line JSON readiness message.
 * Node loads tsx as a module hook (`--import tsx`) instead of through tsx's CLI, so the pinned
 * process is the one that serves, and `nodeFlags` (e.g. `--cpu-prof`) apply to it.
 */
export function startPinned<T>(script: string, core: number, env: Record<string, string>, nodeFlags: readonly string[] = []): Promise<BenchProcess<T>> {
  // A bundled script (.mjs) is plain JavaScript: no TypeScript loader in the measured process.
  const loader = script.endsWith('.mjs') ? [] : ['--import', 'tsx'];
  const child: ChildProcess = spawn('taskset', ['-c', String(core), process.execPath, ...nodeFlags, ...loader, path.isAbsolute(script) ? script : path.join(HERE, script)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-5000)));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      const info = JSON.parse(buffered.slice(0, newline)) as T;
      resolve({
        info,
        pid: child.pid as number,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${stderr}`)));
  });
}
