// `npm start` (the platform) as a child process of a benchmark: its own data dir, free ports, a
// chosen set of components, optionally pinned to one core; resolves once its banner is printed.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { allocateStackPorts, type StackPorts } from '../testkit/ports';

export interface PlatformProcess {
  pid: number;
  ports: StackPorts;
  dataDir: string;
  stop(): Promise<void>;
}

export interface PlatformProcessOptions {
  /** The bundled `platform.mjs` (what `npm start` runs) or `platform/src/start.ts` (under tsx). */
  script: string;
  components: string;
  env: Record<string, string>;
  /** Its stderr is appended here. */
  logFile: string;
  /** taskset core; unpinned when absent. */
  core?: number;
  cwd: string;
  /** More node flags (e.g. `--cpu-prof`). */
  nodeFlags?: readonly string[];
}

export async function startPlatformProcess(options: PlatformProcessOptions): Promise<PlatformProcess> {
  const ports = await allocateStackPorts();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-bench-platform-'));
  const nodeArgs = [...(options.script.endsWith('.mjs') ? ['--enable-source-maps'] : ['--import', 'tsx']), ...(options.nodeFlags ?? []), options.script];
  const [command, args] = options.core === undefined ? [process.execPath, nodeArgs] : ['taskset', ['-c', String(options.core), process.execPath, ...nodeArgs]];
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...ports, ...options.env, SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_COMPONENTS: options.components, LOG_LEVEL: 'warn', NODE_ENV: 'production', APOLLO_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const log = createWriteStream(options.logFile, { flags: 'a' });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-5000);
    log.write(chunk);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`platform: no banner after 180 s\n${stderr}`)), 180_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('Ctrl-C stops everything')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`platform exited with ${code}\n${stderr}`));
    });
  });
  return {
    pid: child.pid as number,
    ports,
    dataDir,
    stop: async () => {
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
        });
      }
      log.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
