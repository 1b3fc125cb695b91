import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { verifyInclusion } from '@switchyard/ledger/node';
import type { LogProblem } from '@switchyard/ledger';
import { databaseAnchor } from '../src/anchor';
import { generateAuditKeysDocument, auditKeysFromJson } from '../src/audit-keys';
import { createAuditLedger, type AuditLedger } from '../src/audit-ledger';
import { createPrismaAuditStore } from '../src/prisma-audit-store';
import { verifyStoredLog } from '../src/verify-command';

const run = promisify(execFile);
const TENANT = '33333333-3333-4333-8333-333333333333';
const keysJson = JSON.stringify(generateAuditKeysDocument());
const keys = auditKeysFromJson(keysJson);

/** Runs SQL as the connecting superuser (not the RLS-bound service role): the attacker's view. */
async function asSuperuser(test: TestDatabase, ...statements: string[]): Promise<void> {
  await test.db.withPlatform(async (tx) => {
    // The platform pool's sessions start as switchyard_platform: back to the login (the owner) for this transaction only.
    await tx.$executeRawUnsafe('SET LOCAL ROLE NONE');
    for (const statement of statements) await tx.$executeRawUnsafe(statement);
  });
}

function ledgerOn(test: TestDatabase, checkpointEvery: number): AuditLedger {
  const store = createPrismaAuditStore(test.db);
  return createAuditLedger({ store, keys, anchors: [databaseAnchor(store)], checkpointEvery, checkpointIntervalMs: 0 });
}

describe('audit ledger on Postgres: tampering', () => {
  let test: TestDatabase;
  let ledger: AuditLedger;

  beforeAll(async () => {
    test = await createTestDatabase();
    ledger = ledgerOn(test, 10);
    for (let i = 0; i < 30; i += 1) {
      await ledger.append({ idempotencyKey: `req-${i}`, tenantId: i % 3 === 0 ? null : TENANT, actor: `user:u${i % 4}`, action: 'inference.request', subjectId: `subject-${i % 5}`, payload: { i } });
    }
    expect((await ledger.store.listCheckpoints()).map((checkpoint) => checkpoint.treeSize)).toEqual([10, 20, 30]);
    await asSuperuser(test, 'CREATE TABLE audit_backup AS SELECT * FROM audit_entries');
  });
  afterAll(async () => {
    await ledger.close();
    await test.drop();
  });

  async function verdict(): Promise<{ ok: boolean; problem?: LogProblem; firstBadSeq?: number | null }> {
    const { verification } = await verifyStoredLog(ledger.store, keys.publicKey);
    return verification.ok ? { ok: true } : { ok: false, problem: verification.problem, firstBadSeq: verification.firstBadSeq };
  }

  async function tamperThenRestore(statements: string[]): Promise<{ ok: boolean; problem?: LogProblem; firstBadSeq?: number | null }> {
    await asSuperuser(test, ...statements);
    try {
      return await verdict();
    } finally {
      await asSuperuser(test, 'DELETE FROM audit_entries', 'INSERT INTO audit_entries SELECT * FROM audit_backup');
    }
  }

  it('verifies the untouched log', async () => {
    expect(await verdict()).toEqual({ ok: true });
  });

  it('names the edited entry', async () => {
    expect(await tamperThenRestore([`UPDATE audit_entries SET actor = 'user:mallory' WHERE seq = 17`])).toEqual({ ok: false, problem: 'entry-hash-mismatch', firstBadSeq: 17 });
    expect(await tamperThenRestore([`UPDATE audit_entries SET occurred_at = occurred_at + interval '1 second' WHERE seq = 3`])).toMatchObject({ firstBadSeq: 3 });
    expect(await tamperThenRestore([`UPDATE audit_entries SET tenant_id = NULL WHERE seq = 29`])).toMatchObject({ firstBadSeq: 29 });
  });

  it('names a deleted entry, in the middle and at the end', async () => {
    expect(await tamperThenRestore(['DELETE FROM audit_entries WHERE seq = 12'])).toEqual({ ok: false, problem: 'gap', firstBadSeq: 12 });
    expect(await tamperThenRestore(['DELETE FROM audit_entries WHERE seq >= 27'])).toEqual({ ok: false, problem: 'checkpoint-beyond-log', firstBadSeq: 27 });
  });

  it('names reordered entries', async () => {
    expect(
      await tamperThenRestore(['UPDATE audit_entries SET seq = -1 WHERE seq = 5', 'UPDATE audit_entries SET seq = 5 WHERE seq = 6', 'UPDATE audit_entries SET seq = 6 WHERE seq = -1']),
    ).toEqual({ ok: false, problem: 'broken-link', firstBadSeq: 5 });
  });

  it('names an inserted entry, in the middle and at the end', async () => {
    const forged = (seq: number, prevFrom: number) =>
      `INSERT INTO audit_entries SELECT ${seq}, occurred_at, tenant_id, 'user:mallory', action, subject_key, data_classification, payload_digest, payload_ciphertext, payload_key_id, leaf_hash, ` +
      `(SELECT entry_hash FROM audit_backup WHERE seq = ${prevFrom}), entry_hash, 'forged-${seq}', entry_mac, leaf_version FROM audit_backup WHERE seq = ${prevFrom}`;
    expect(
      await tamperThenRestore(['UPDATE audit_entries SET seq = seq + 1000 WHERE seq >= 15', 'UPDATE audit_entries SET seq = seq - 999 WHERE seq >= 1000', forged(15, 14)]),
    ).toEqual({ ok: false, problem: 'entry-hash-mismatch', firstBadSeq: 15 });
    expect(await tamperThenRestore([forged(30, 29)])).toEqual({ ok: false, problem: 'entry-hash-mismatch', firstBadSeq: 30 });
  });

  it('names the first entry after the last good checkpoint when the whole chain was rewritten', async () => {
    // The attacker edits entry 15 and recomputes every later hash so each link checks out.
    const entries = await ledger.store.listEntries('platform', {}, -1, 100);
    const { chainEntry, leafHash } = await import('@switchyard/ledger/node');
    const { auditLeafBytes } = await import('@switchyard/ledger');
    let prev = entries[14]?.entryHash ?? '';
    const statements: string[] = [];
    for (const entry of entries.slice(15)) {
      const fields = { ...entry, actor: entry.seq === 15 ? 'user:mallory' : entry.actor };
      const chained = chainEntry(prev, fields);
      statements.push(
        `UPDATE audit_entries SET actor = '${fields.actor}', prev_hash = '${prev}', entry_hash = '${chained.entryHash}', leaf_hash = '${Buffer.from(leafHash(auditLeafBytes(fields))).toString('hex')}' WHERE seq = ${entry.seq}`,
      );
      prev = chained.entryHash;
    }
    expect(await tamperThenRestore(statements)).toEqual({ ok: false, problem: 'checkpoint-root-mismatch', firstBadSeq: 10 });
  });
});

describe('audit ledger on Postgres: concurrent appenders and data-subject requests', () => {
  let test: TestDatabase;
  let ledger: AuditLedger;

  beforeAll(async () => {
    test = await createTestDatabase();
    ledger = ledgerOn(test, 25);
  });
  afterAll(async () => {
    await ledger.close();
    await test.drop();
  });

  it('keeps one gap-free total order across two processes and in-process appenders', async () => {
    const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
    const worker = fileURLToPath(new URL('./append-worker-cli.ts', import.meta.url));
    const child = (prefix: string) =>
      run(tsx, [worker], { env: { ...process.env, DATABASE_URL: test.url, AUDIT_KEYS: keysJson, WORKER_PREFIX: prefix, COUNT: '40', SHARED_KEYS: '10' } });
    const inProcess = Promise.all(
      Array.from({ length: 40 }, (_, i) => ledger.append({ idempotencyKey: i < 10 ? `shared-${i}` : `local-${i}`, tenantId: TENANT, actor: 'service:test', action: 'test.append' })),
    );
    await Promise.all([child('a'), child('b'), inProcess]);

    const entries = await ledger.store.listEntries('platform', {}, -1, 1000);
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 40 + 40 + 40 }, (_, i) => i));
    const keysSeen = entries.map((entry) => entry.idempotencyKey);
    expect(new Set(keysSeen).size).toBe(keysSeen.length);
    expect(keysSeen.filter((key) => key.startsWith('shared-'))).toHaveLength(10);
    await ledger.checkpoint();
    const outcome = await verifyStoredLog(ledger.store, keys.publicKey);
    expect(outcome.summary).toMatch(/^ok: 120 entries, \d+ checkpoints in the database$/);
  }, 120_000);

  it('keeps batches from two connections gap-free and duplicate-free when their idempotency keys overlap', async () => {
    const other = await createDatabase({ url: test.url });
    const otherLedger = createAuditLedger({ store: createPrismaAuditStore(other), keys, anchors: [], checkpointEvery: 1_000_000, checkpointIntervalMs: 0 });
    try {
      const before = await ledger.store.size();
      // Both connections send the same 60 keys in different batch shapes and orders, plus 60 of their own each.
      const batchesOf = (prefix: string, size: number, reversed: boolean) => {
        const keysToAppend = [...Array.from({ length: 60 }, (_, i) => `both-${i}`), ...Array.from({ length: 60 }, (_, i) => `${prefix}-${i}`)];
        if (reversed) keysToAppend.reverse();
        return Array.from({ length: Math.ceil(keysToAppend.length / size) }, (_, b) =>
          keysToAppend.slice(b * size, (b + 1) * size).map((idempotencyKey) => ({ idempotencyKey, tenantId: TENANT, actor: `service:${prefix}`, action: 'test.batch', payload: { idempotencyKey } })),
        );
      };
      const drain = async (target: AuditLedger, batches: ReturnType<typeof batchesOf>) => {
        const results = [];
        for (const batch of batches) results.push(...(await target.appendMany(batch)));
        return results;
      };
      const [mine, theirs] = await Promise.all([drain(ledger, batchesOf('one', 7, false)), drain(otherLedger, batchesOf('two', 11, true))]);

      expect([...mine, ...theirs].filter((item) => item.created)).toHaveLength(180);
      const bySharedKey = (items: typeof mine) => new Map(items.filter((item) => item.entry.idempotencyKey.startsWith('both-')).map((item) => [item.entry.idempotencyKey, item.entry.seq]));
      expect(bySharedKey(mine)).toEqual(bySharedKey(theirs));
      const entries = await ledger.store.listEntries('platform', {}, before - 1, 1000);
      expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 180 }, (_, i) => before + i));
      expect(new Set(entries.map((entry) => entry.idempotencyKey)).size).toBe(180);
      await ledger.checkpoint();
      expect((await verifyStoredLog(ledger.store, keys.publicKey)).verification.ok).toBe(true);
    } finally {
      await otherLedger.close();
      await other.close();
    }
  }, 120_000);

  it('exports a subject, erases it by crypto-shredding, and the log and proofs still verify', async () => {
    for (let i = 0; i < 4; i += 1) {
      await ledger.append({ idempotencyKey: `dsr-${i}`, tenantId: TENANT, actor: 'user:dana', action: 'api_key.create', subjectId: i < 2 ? 'dana@example.com' : 'erin@example.com', payload: { email: 'dana@example.com', i } });
    }
    const exported = await ledger.exportSubject('dana@example.com');
    expect(exported.map((entry) => JSON.parse(entry.payload ?? 'null') as unknown)).toEqual([
      { email: 'dana@example.com', i: 0 },
      { email: 'dana@example.com', i: 1 },
    ]);
    const raw = await test.db.withPlatform((tx) => tx.auditEntry.findMany({ where: { idempotencyKey: 'dsr-0' } }));
    expect(Buffer.from(raw[0]?.payloadCiphertext ?? []).toString('utf8')).not.toContain('dana');

    await ledger.eraseSubject('dana@example.com');
    expect((await ledger.exportSubject('dana@example.com')).map((entry) => entry.payloadState)).toEqual(['ERASED', 'ERASED']);
    expect((await ledger.exportSubject('erin@example.com')).map((entry) => entry.payloadState)).toEqual(['AVAILABLE', 'AVAILABLE']);
    await ledger.checkpoint();
    expect((await verifyStoredLog(ledger.store, keys.publicKey)).verification.ok).toBe(true);
    const seq = exported[0]?.seq ?? -1;
    const proof = await ledger.inclusionProof(seq);
    const fromHex = (value: string) => Buffer.from(value, 'hex');
    expect(verifyInclusion(fromHex(proof.leafHash), seq, proof.treeSize, proof.path.map(fromHex), fromHex(proof.rootHash))).toBe(true);
  });
});
