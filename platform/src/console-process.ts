import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, inheritedEnvironment } from './config';

const WEB_DIR = path.join(REPO_ROOT, 'web');
const NEXT_BIN = path.join(REPO_ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');

export function consoleIsBuilt(): boolean {
  return existsSync(path.join(WEB_DIR, '.next', 'BUILD_ID'));
}

/** `next build`, streaming its progress to stderr (first start only; takes a few minutes on 2 cores). */
export function buildConsole(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NEXT_BIN, 'build'], {
      cwd: WEB_DIR,
      env: { ...inheritedEnvironment(), NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', process.stderr, process.stderr],
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build exited with ${code}`))));
  });
}

export interface ConsoleProcess {
  url: string;
  stop(): Promise<void>;
}

/** Runs `next start` as a child process (Next owns its own server) and waits until it answers. */
export async function startConsole(options: { host: string; port: number; env: Record<string, string> }): Promise<ConsoleProcess> {
  const child: ChildProcess = spawn(process.execPath, [NEXT_BIN, 'start', '-H', options.host, '-p', String(options.port)], {
    cwd: WEB_DIR,
    env: { ...inheritedEnvironment(), ...options.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const url = `http://${options.host}:${options.port}`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`console exited with ${code}:\n${output}`))),
  );
  const ready = (async () => {
    for (let attempt = 0; attempt < 600; attempt += 1) {
      try {
        const response = await fetch(url, { redirect: 'manual' });
        if (response.status < 500) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`console did not answer at ${url}:\n${output}`);
  })();
  await Promise.race([ready, exited]);
  exited.catch(() => undefined);
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
