import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWitnessServer } from './http-server';
import { openEmbeddedWitnessStore } from './sql-witness-store';
import { newKeys, proofFrom, signedAt, testLog } from './test-support';
import { createWitness } from './witness';
import type { WitnessStore } from './witness-store';

const keys = newKeys();
const log = testLog(6);
let store: WitnessStore;
let server: Server;
let base: string;
let ready = true;

beforeAll(async () => {
  store = await openEmbeddedWitnessStore();
  server = createWitnessServer(createWitness([{ name: 'region-a', logId: 'switchyard-audit', publicKeys: [keys.publicKey] }], store), pino({ level: 'silent' }), () => ready);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await store?.close();
});

const url = `/witness/v1/regions/region-a/checkpoints`;
const post = (body: string) => fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
const codeOf = async (response: Response) => [response.status, ((await response.json()) as { error?: { code: string } }).error?.code];

describe('witness HTTP API', () => {
  it('stores (201), answers a duplicate with 200, and names the size a proof must start from', async () => {
    expect((await post(JSON.stringify(signedAt(log, 2, keys.privateKey)))).status).toBe(201);
    expect((await post(JSON.stringify(signedAt(log, 2, keys.privateKey)))).status).toBe(200);
    const needsProof = await post(JSON.stringify(signedAt(log, 6, keys.privateKey)));
    expect([needsProof.status, await needsProof.json()]).toEqual([409, { error: expect.objectContaining({ code: 'consistency_proof_required', latestTreeSize: 2 }) }]);
    expect((await post(JSON.stringify({ ...signedAt(log, 6, keys.privateKey), consistency: proofFrom(log, 2, 6) }))).status).toBe(201);
  });

  it('refuses hostile input with stable codes: oversized, not JSON, wrong shape, wrong method, unknown path', async () => {
    expect(await codeOf(await post('x'.repeat(70 * 1024)))).toEqual([413, 'payload_too_large']);
    expect(await codeOf(await post('{'))).toEqual([400, 'malformed_checkpoint']);
    expect(await codeOf(await post(JSON.stringify({ ...signedAt(log, 3, keys.privateKey), treeSize: 0 })))).toEqual([400, 'malformed_checkpoint']);
    expect(await codeOf(await post(JSON.stringify({ ...signedAt(log, 6, keys.privateKey), consistency: { fromSize: 2, proof: Array(129).fill('0'.repeat(64)) } })))).toEqual([400, 'malformed_checkpoint']);
    expect(await codeOf(await fetch(`${base}${url}`, { method: 'DELETE' }))).toEqual([405, 'method_not_allowed']);
    expect(await codeOf(await fetch(`${base}/witness/v1/regions/region-a/../../x`))).toEqual([404, 'not_found']);
    expect(await codeOf(await fetch(`${base}/witness/v1/regions/${'a'.repeat(65)}/checkpoints`))).toEqual([404, 'not_found']);
    // Nothing of it was stored.
    const held = (await (await fetch(`${base}${url}`)).json()) as { checkpoints: Array<{ treeSize: number }> };
    expect(held.checkpoints.map((checkpoint) => checkpoint.treeSize)).toEqual([2, 6]);
  });

  it('reports not ready while draining, still alive', async () => {
    ready = false;
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    ready = true;
  });
});
