import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantsService } from '@switchyard/subgraph-tenants';
import { startOperatorSocket } from './operator-socket';

function post(socketPath: string, route: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const call = request({ socketPath, path: route, method: 'POST' }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    call.once('error', reject);
    call.end(body);
  });
}

describe('operator socket: rotate-master-key', () => {
  let dir: string;
  let socketPath: string;
  let close: () => Promise<void>;
  const batches: number[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sy-operator-'));
    socketPath = path.join(dir, 'operator.sock');
    ({ close } = await startOperatorSocket({
      socketPath,
      tenants: {} as TenantsService,
      rotateMasterKey: async (batchSize, onProgress) => {
        batches.push(batchSize);
        if (batchSize === 13) throw new Error('data key 1 could not be rewrapped');
        onProgress({ rewrapped: batchSize, remaining: 1, activeKeyId: 'k2' });
        return { rewrapped: batchSize + 1, remaining: 0, activeKeyId: 'k2' };
      },
    }));
  });
  afterAll(async () => {
    await close?.();
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
