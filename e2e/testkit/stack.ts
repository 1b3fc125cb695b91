import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { createTestDatabase } from '@switchyard/db/testing';
import { launchChromium } from './browser';
import { startPlatformProcess, type PlatformProcess } from './platform-process';
import { allocateStackPorts, freePort, type StackPorts } from './ports';

const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface StackOptions {
  /** SWITCHYARD_COMPONENTS of the admin-plane process (include `console` for browser tests). */
  adminComponents: string;
  /** Extra environment for the admin-plane process. */
  adminEnv?: Record<string, string>;
  /** Run the data plane as a second OS process (default true), so usage crosses Redis between processes. */
  dataPlane?: boolean;
}

export interface Stack {
  ports: StackPorts;
  browser: Browser;
  databaseUrl: string;
  dataDir: string;
  consoleUrl: string;
  openaiBaseUrl: string;
  stop(): Promise<void>;
}

/**
 * One whole-stack test's own installation: a fresh Postgres database, its own Redis key prefix and
 * data dir, the admin plane (and by default the data plane) as separate processes, and Chromium.
 * Each test file gets its own, so they never see each other's tenants or events.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const database = await createTestDatabase();
    cleanups.push(async () => {
      await database.db.close();
      await database.drop();
    });
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-e2e-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const ports = await allocateStackPorts();
    const shared = {
      ...ports,
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: `sy-e2e-${randomBytes(4).toString('hex')}:`,
      SWITCHYARD_DATA_DIR: dataDir,
      // Tests' webhook receivers listen on loopback, which alert webhooks may not reach by default.
      ALERT_WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32,::1/128',
    };
    const processes: PlatformProcess[] = [];
    cleanups.push(async () => {
      for (const running of processes.reverse()) await running.stop();
    });
    processes.push(await startPlatformProcess({ ...shared, ...options.adminEnv, SWITCHYARD_COMPONENTS: options.adminComponents }, { name: 'admin-plane' }));
    if (options.dataPlane ?? true) {
      // Its own operator metrics listener: METRICS_PORT in `shared` is the admin plane's.
      processes.push(await startPlatformProcess({ ...shared, METRICS_PORT: String(await freePort()), SWITCHYARD_COMPONENTS: 'data-plane' }, { name: 'data-plane' }));
    }
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    return {
      ports,
      browser,
      databaseUrl: database.url,
      dataDir,
      consoleUrl: `http://127.0.0.1:${ports.CONSOLE_PORT}`,
      openaiBaseUrl: `http://127.0.0.1:${ports.DATA_PLANE_PORT}/v1`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
