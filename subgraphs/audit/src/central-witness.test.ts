import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createWitness, createWitnessServer, openEmbeddedWitnessStore, type WitnessStore } from '@switchyard/audit-witness';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseAnchor, httpWitnessAnchor } from './anchor';
import { generateAuditKeys } from './audit-keys';
import { createAuditLedger, type AuditKeys, type AuditLedger } from './audit-ledger';
import { createPrismaAuditStore } from './prisma-audit-store';
import { verifyStoredLog } from './verify-command';

/**
 * Two regions' audit ledgers (each its own database and keys) anchor to one central witness over
 * HTTP (httpWitnessAnchor → @switchyard/audit-witness); `audit verify` of each region reads its
 * checkpoints back. A region log restored from an old backup (rolled back) or rewritten fails
 * verification against the witness, and the witness refuses its new checkpoints; a checkpoint signed
 * with another region's key is refused.
 */
const clock = new Date('2026-12-08T00:00:00.000Z');
const databases: MemoryTestDatabase[] = [];
const ledgers: AuditLedger[] = [];
let server: Server;
let witnessStore: WitnessStore;
let base: string;
const regionKeys = { 'region-a': generateAuditKeys(), 'region-b': generateAuditKeys() };
const urlOf = (region: string) => `${base}/witness/v1/regions/${region}/checkpoints`;

/** A region's ledger on a fresh database, anchoring to `witnessRegion`'s URL (its own unless a test says otherwise). */
async function regionLedger(keys: AuditKeys, witnessRegion: string) {
  const database = await createMemoryTestDatabase();
  databases.push(database);
  const store = createPrismaAuditStore(database.db);
  const ledger = createAuditLedger({ store, keys, anchors: [databaseAnchor(store), httpWitnessAnchor(urlOf(witnessRegion))], checkpointEvery: 1_000_000, checkpointIntervalMs: 0, now: () => clock });
  ledgers.push(ledger);
  return { store, ledger };
}
/** `count` events from `from` on; `variant` changes what event 3 says (a rewritten history). */
const events = (from: number, count: number, variant = '') =>
  Array.from({ length: count }, (_, i) => ({ idempotencyKey: `evt-${from + i}`, tenantId: null, actor: 'user:ops', action: from + i === 3 && variant ? 'settings.rewrite' : 'settings.change' }));

beforeAll(async () => {
  witnessStore = await openEmbeddedWitnessStore();
  const regions = Object.entries(regionKeys).map(([name, keys]) => ({ name, logId: 'switchyard-audit', publicKeys: [keys.publicKey] }));
  server = createWitnessServer(createWitness(regions, witnessStore), pino({ level: 'silent' }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const ledger of ledgers) await ledger.close();
  for (const database of databases) await database.drop();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await witnessStore?.close();
});

describe('central audit witness fed by two regions', () => {
  let regionA: Awaited<ReturnType<typeof regionLedger>>;
  let regionB: Awaited<ReturnType<typeof regionLedger>>;

  it("anchors both regions' checkpoints, each log verifies against its region's witnessed checkpoints", async () => {
    regionA = await regionLedger(regionKeys['region-a'], 'region-a');
    regionB = await regionLedger(regionKeys['region-b'], 'region-b');
    await regionA.ledger.appendMany(events(0, 5));
    expect((await regionA.ledger.checkpoint())?.treeSize).toBe(5);
    await regionA.ledger.appendMany(events(5, 5));
    // The second checkpoint reaches the witness with a consistency proof from size 5.
    expect((await regionA.ledger.checkpoint())?.treeSize).toBe(10);
    await regionB.ledger.appendMany(events(0, 3));
    expect((await regionB.ledger.checkpoint())?.treeSize).toBe(3);

    const witnessed = async (region: string) => ((await (await fetch(urlOf(region))).json()) as { checkpoints: Array<{ treeSize: number }> }).checkpoints.map((c) => c.treeSize);
    expect(await witnessed('region-a')).toEqual([5, 10]);
    expect(await witnessed('region-b')).toEqual([3]);

    const a = await verifyStoredLog(regionA.store, regionKeys['region-a'].publicKey, { witnessUrl: urlOf('region-a') });
    expect(a.verification).toMatchObject({ ok: true, size: 10, witness: { witnessedCheckpoints: 2, witnessedSize: 10, uncovered: 0 } });
    expect(a.unwitnessed).toBe(false);
    const b = await verifyStoredLog(regionB.store, regionKeys['region-b'].publicKey, { witnessUrl: urlOf('region-b') });
    expect(b.verification).toMatchObject({ ok: true, size: 3, witness: { witnessedSize: 3 } });
    // Region B's log read against region A's witnessed checkpoints: none of them is B's.
    const crossed = await verifyStoredLog(regionB.store, regionKeys['region-b'].publicKey, { witnessUrl: urlOf('region-a') });
    expect(crossed.unwitnessed).toBe(true);
  });

  it("refuses a checkpoint signed with another region's key (a region posing as another)", async () => {
    const impostor = await regionLedger(regionKeys['region-b'], 'region-a');
    await impostor.ledger.appendMany(events(0, 12));
    await expect(impostor.ledger.checkpoint()).rejects.toThrow(/answered 403 checkpoint_signature_invalid/);
    const direct = await fetch(urlOf('region-a'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify((await impostor.store.latestCheckpoint()) ?? {}) });
    expect(direct.status).toBe(403);
    expect(await direct.json()).toMatchObject({ error: { code: 'checkpoint_signature_invalid' } });
    const unknown = await fetch(urlOf('region-z'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect([unknown.status, ((await unknown.json()) as { error: { code: string } }).error.code]).toEqual([404, 'unknown_region']);
    const malformed = await fetch(urlOf('region-a'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"treeSize": -1' });
    expect([malformed.status, ((await malformed.json()) as { error: { code: string } }).error.code]).toEqual([400, 'malformed_checkpoint']);
  });

  it('a rewritten region log fails verification; the witness refuses its equal-size root (equivocation) and its growth (fork)', async () => {
    const rewritten = await regionLedger(regionKeys['region-a'], 'region-a');
    await rewritten.ledger.appendMany(events(0, 10, 'rewritten'));
    const verify = await verifyStoredLog(rewritten.store, regionKeys['region-a'].publicKey, { witnessUrl: urlOf('region-a') });
    expect(verify.verification).toMatchObject({ ok: false, problem: 'witnessed-checkpoint-inconsistent' });
    await expect(rewritten.ledger.checkpoint()).rejects.toThrow(/answered 409 checkpoint_equivocation/);
    const atTen = await rewritten.store.latestCheckpoint();
    const equivocation = await fetch(urlOf('region-a'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(atTen) });
    expect([equivocation.status, await equivocation.json()]).toEqual([409, { error: expect.objectContaining({ code: 'checkpoint_equivocation' }) }]);
    await rewritten.ledger.appendMany(events(10, 2));
    // Past the witnessed size it must prove it extends the witnessed root, and it cannot.
    await expect(rewritten.ledger.checkpoint()).rejects.toThrow(/answered 409 checkpoint_fork/);
    // The witness still holds only the honest history.
    const held = (await (await fetch(urlOf('region-a'))).json()) as { checkpoints: Array<{ treeSize: number }> };
    expect(held.checkpoints.map((c) => c.treeSize)).toEqual([5, 10]);
    expect((await verifyStoredLog(regionA.store, regionKeys['region-a'].publicKey, { witnessUrl: urlOf('region-a') })).verification.ok).toBe(true);
  });
  it("a rolled-back region log (its tail deleted, checkpoints with it) fails verification against the witness, and its new checkpoint is refused", async () => {
    // Someone able to write region A's database deletes entries 7.. and the checkpoints that covered them.
    await databases[0]!.db.withPlatform(async (tx) => {
      // Back to the owner for this transaction only (the platform role may not delete audit rows).
      await tx.$executeRawUnsafe('SET LOCAL ROLE NONE');
      await tx.$executeRawUnsafe('DELETE FROM audit_checkpoints WHERE tree_size > 7');
      await tx.$executeRawUnsafe('DELETE FROM audit_entries WHERE seq >= 7');
    });
    const verify = await verifyStoredLog(regionA.store, regionKeys['region-a'].publicKey, { witnessUrl: urlOf('region-a') });
    expect(verify.verification).toMatchObject({ ok: false, problem: 'witnessed-checkpoint-beyond-log', firstBadSeq: 7 });
    // Without the witness the truncated log would verify: the database alone cannot tell.
    expect((await verifyStoredLog(regionA.store, regionKeys['region-a'].publicKey)).verification.ok).toBe(true);
    // The rolled-back log's next checkpoint (size 7, below the witnessed 10) is refused.
    const resumed = createAuditLedger({ store: regionA.store, keys: regionKeys['region-a'], anchors: [httpWitnessAnchor(urlOf('region-a'))], checkpointIntervalMs: 0, now: () => clock });
    ledgers.push(resumed);
    await expect(resumed.checkpoint()).rejects.toThrow(/answered 409 checkpoint_rollback/);
  });
});
