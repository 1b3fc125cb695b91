import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX_CLI = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export interface PlatformProcess {
  /** Everything the process printed on stdout (the banner). */
  stdout(): string;
  stop(): Promise<void>;
}

/**
 * Runs `platform/src/start.ts` (what `npm start` runs) as its own OS process and waits for its
 * banner, so whole-stack tests cross real process boundaries (and Redis between them).
 */
export async function startPlatformProcess(env: Record<string, string>, options: { name: string; timeoutMs?: number }): Promise<PlatformProcess> {
  const child: ChildProcess = spawn(process.execPath, [TSX_CLI, path.join(REPO_ROOT, 'platform', 'src', 'start.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1', NEXT_TELEMETRY_DISABLED: '1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
    if (process.env.SWITCHYARD_E2E_VERBOSE) process.stderr.write(`[${options.name}] ${chunk.toString()}`);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.name}: no banner after ${options.timeoutMs ?? 600_000} ms\n${stderr}`)), options.timeoutMs ?? 600_000);
    const onData = () => {
      if (stdout.includes('Ctrl-C stops everything')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with ${code}\n${stderr}`));
    });
  });
  return {
    stdout: () => stdout,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
