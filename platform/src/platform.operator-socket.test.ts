import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePlatformEnv } from './config';
import { claimOperatorSocket, operatorSocketPath, OperatorSocketHeldError, probeOperatorSocket } from './operator-socket';
import { startPlatform, type RunningPlatform } from './platform';

function createKey(socketPath: string, tenant: string): Promise<{ status: number; body: { secret?: string; error?: string } }> {
  return new Promise((resolve, reject) => {
    const call = request({ socketPath, path: '/keys', method: 'POST' }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as { secret?: string; error?: string } }));
    });
    call.once('error', reject);
    call.end(JSON.stringify({ tenant, name: 'platform-test' }));
  });
}

describe('startPlatform on the embedded database: the operator socket is its lock', () => {
  let dataDir: string;
  const quiet = () => undefined;
  // The tenants subgraph alone opens the embedded database; port 0 picks a free port.
  const embeddedEnv = () => parsePlatformEnv({ SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_COMPONENTS: 'tenants', TENANTS_SUBGRAPH_PORT: '0', LOG_LEVEL: 'silent' });

  beforeEach(async () => {
    dataDir = await mkdtemp('/tmp/sy-op-');
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a start on a data dir someone holds is refused before it opens or writes anything', async () => {
    const holder = await claimOperatorSocket({ socketPath: operatorSocketPath(dataDir), holder: 'platform' });
    try {
      await expect(startPlatform({ env: embeddedEnv(), progress: quiet })).rejects.toBeInstanceOf(OperatorSocketHeldError);
      expect(await readdir(dataDir)).toEqual(['operator.sock']);
    } finally {
      await holder.close();
    }
  });

  it('serves operator commands once started, refuses a second start, and releases the lock on close', async () => {
    let platform: RunningPlatform | undefined;
    try {
      platform = await startPlatform({ env: embeddedEnv(), progress: quiet });
      const socketPath = operatorSocketPath(dataDir);
      expect(platform.components).toEqual(new Set(['tenants']));
      expect(platform.backends.database).toBe('pglite');
      expect(await probeOperatorSocket(socketPath)).toEqual({ kind: 'held', status: { holder: 'platform', state: 'ready', pid: process.pid }, answered: true });

      const created = await createKey(socketPath, 'demo');
      expect(created.status).toBe(200);
      expect(created.body.secret).toMatch(/^sk-sy-/);

      await expect(startPlatform({ env: embeddedEnv(), progress: quiet })).rejects.toThrow(`another Switchyard platform (pid ${process.pid}, ready) holds the embedded database in ${dataDir}`);
    } finally {
      await platform?.close();
    }
    expect(existsSync(path.join(dataDir, 'operator.sock'))).toBe(false);
  }, 180_000);
});
