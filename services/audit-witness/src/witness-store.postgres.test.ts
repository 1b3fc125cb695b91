import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedWitnessStore, openPostgresWitnessStore } from './sql-witness-store';
import { newKeys, proofFrom, signedAt, testLog } from './test-support';
import { createWitness } from './witness';
import { WitnessRefusal } from './witness-errors';
import type { WitnessStore } from './witness-store';

const keys = newKeys();
const regions = [{ name: 'region-a', logId: 'switchyard-audit', publicKeys: [keys.publicKey] }];
const tree = testLog(30);
const forked = testLog(30, 'forked');

let postgres: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  postgres = await createTestDatabase({ migrate: false });
  dataDir = await mkdtemp(path.join(tmpdir(), 'witness-'));
});
afterAll(async () => {
  await postgres?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

const backends: Array<[string, () => Promise<WitnessStore>]> = [
  ['Postgres', () => openPostgresWitnessStore(postgres.url)],
  ['PGlite (embedded default)', () => openEmbeddedWitnessStore(dataDir)],
];

describe.each(backends)('witness store on %s', (_name, open) => {
  it('keeps what it witnessed across a restart, and a region is judged one submission at a time', async () => {
    let store = await open();
    const witness = createWitness(regions, store);
    // Two different roots for the same first size at once (an equivocating region racing itself):
    // exactly one is stored, the other is refused.
    const outcomes = await Promise.allSettled([witness.submit('region-a', signedAt(tree, 10, keys.privateKey)), witness.submit('region-a', signedAt(forked, 10, keys.privateKey))]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason instanceof WitnessRefusal && refused.reason.code).toBe('checkpoint_equivocation');
    const kept = (await witness.checkpoints('region-a')).checkpoints[0]!;
    const history = kept.rootHash === signedAt(tree, 10, keys.privateKey).rootHash ? tree : forked;
    await witness.submit('region-a', { ...signedAt(history, 20, keys.privateKey), consistency: proofFrom(history, 10, 20) });
    await store.close();

    store = await open();
    try {
      const reopened = createWitness(regions, store);
      expect((await reopened.checkpoints('region-a')).checkpoints.map((checkpoint) => checkpoint.treeSize)).toEqual([10, 20]);
      // Still judged against what it held before the restart.
      await expect(reopened.submit('region-a', signedAt(history, 15, keys.privateKey))).rejects.toMatchObject({ code: 'checkpoint_rollback' });
    } finally {
      await store.close();
    }
  });
});

describe('witness table on Postgres', () => {
  it('is append-only: an UPDATE or DELETE is refused by the database itself', async () => {
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      await expect(client.query("UPDATE witness_checkpoints SET root_hash = 'x'")).rejects.toThrow(/append-only/);
      await expect(client.query('DELETE FROM witness_checkpoints')).rejects.toThrow(/append-only/);
      expect(Number((await client.query('SELECT count(*) AS n FROM witness_checkpoints')).rows[0].n)).toBe(2);
    } finally {
      await client.end();
    }
  });
});
