// Issue 10, "Audit log": each edit of the database that `npm run -s audit -- verify` used to print
// ok for, on real Postgres, through the verify the CLI runs (verifyStoredLog), asserting the
// failure and the first bad entry it names.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { auditLeafBytes, type Checkpoint, type LogProblem } from '@switchyard/ledger';
import { chainEntry, chainHashOfLeaf, leafHash, payloadDigest } from '@switchyard/ledger/node';
import { databaseAnchor, witnessFileAnchor, type CheckpointAnchor } from '../src/anchor';
import { auditKeysFromJson, generateAuditKeysDocument } from '../src/audit-keys';
import { createAuditLedger, type AuditLedger } from '../src/audit-ledger';
import type { AuditDraft } from '../src/audit-store';
import { createPrismaAuditStore } from '../src/prisma-audit-store';
import { verifyStoredLog, type VerifyStoredLogOptions } from '../src/verify-command';
import { WitnessUnavailableError } from '../src/witness-read';

const TENANT = '44444444-4444-4444-8444-444444444444';
const keys = auditKeysFromJson(JSON.stringify(generateAuditKeysDocument()));
const CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;
const SIZE = 60;

/** Runs SQL as the connecting superuser (not the RLS-bound service role): the attacker's view. */
async function asSuperuser(test: TestDatabase, ...statements: string[]): Promise<void> {
  await test.db.withPlatform(async (tx) => {
    // The platform pool's sessions start as switchyard_platform: back to the login (the owner) for this transaction only.
    await tx.$executeRawUnsafe('SET LOCAL ROLE NONE');
    for (const statement of statements) await tx.$executeRawUnsafe(statement);
  });
}

/** A witness that keeps what is POSTed and answers GET with all of it, on loopback port 0. */
async function startHttpWitness(): Promise<{ url: string; held: Checkpoint[]; close: () => Promise<void> }> {
  const held: Checkpoint[] = [];
  const server: Server = createServer((request, response) => {
    if (request.method === 'POST') {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        held.push(JSON.parse(body) as Checkpoint);
        response.writeHead(204).end();
      });
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ checkpoints: held }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/witness`, held, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

type Verdict = { ok: boolean; problem?: LogProblem; firstBadSeq?: number | null };

describe('audit verify on Postgres: tampering the database', () => {
  let test: TestDatabase;
  let ledger: AuditLedger;
  let witnessDir: string;
  let witnessFile: string;
  let httpWitness: Awaited<ReturnType<typeof startHttpWitness>>;

  beforeAll(async () => {
    test = await createTestDatabase();
    witnessDir = await mkdtemp(path.join(tmpdir(), 'audit-tamper-'));
    witnessFile = path.join(witnessDir, 'audit-witness.jsonl');
    httpWitness = await startHttpWitness();
    const store = createPrismaAuditStore(test.db);
    const { httpWitnessAnchor } = await import('../src/anchor');
    const anchors: CheckpointAnchor[] = [databaseAnchor(store), witnessFileAnchor(witnessFile), httpWitnessAnchor(httpWitness.url)];
    ledger = createAuditLedger({ store, keys, anchors, checkpointEvery: 10, checkpointIntervalMs: 0 });
    for (let i = 0; i < SIZE; i += 1) {
      await ledger.append({
        idempotencyKey: `req-${i}`,
        tenantId: i % 3 === 0 ? null : TENANT,
        actor: `user:u${i % 4}`,
        action: 'inference.request',
        subjectId: `subject-${i % 5}`,
        dataClassification: CLASSIFICATIONS[i % 4],
        payload: { i },
      });
    }
    expect((await ledger.store.listCheckpoints()).map((checkpoint) => checkpoint.treeSize)).toEqual([10, 20, 30, 40, 50, 60]);
    await asSuperuser(test, 'CREATE TABLE audit_backup AS SELECT * FROM audit_entries', 'CREATE TABLE checkpoint_backup AS SELECT * FROM audit_checkpoints');
  });
  afterAll(async () => {
    await ledger.close();
    await httpWitness.close();
    await test.drop();
    await rm(witnessDir, { recursive: true, force: true });
  });

  const fullOptions = (): VerifyStoredLogOptions => ({ witnessFile, subjectHmacKey: keys.subjectHmacKey });

  async function verdict(options: VerifyStoredLogOptions = fullOptions()): Promise<Verdict> {
    const { verification } = await verifyStoredLog(ledger.store, keys.publicKey, options);
    return verification.ok ? { ok: true } : { ok: false, problem: verification.problem, firstBadSeq: verification.firstBadSeq };
  }

  async function tamperThenRestore(statements: string[], options?: VerifyStoredLogOptions): Promise<Verdict> {
    await asSuperuser(test, ...statements);
    try {
      return await verdict(options);
    } finally {
      await asSuperuser(
        test,
        'DELETE FROM audit_entries',
        'INSERT INTO audit_entries SELECT * FROM audit_backup',
        'DELETE FROM audit_checkpoints',
        'INSERT INTO audit_checkpoints SELECT * FROM checkpoint_backup',
      );
    }
  }

  /** The attacker edits entry `seq` with `change` and recomputes every later hash (leaf, entry, link). */
  async function rewriteFrom(seq: number, column: 'actor', value: string): Promise<string[]> {
    const entries = await ledger.store.listEntries('platform', {}, -1, 1000);
    let prev = entries[seq - 1]?.entryHash ?? '';
    const statements: string[] = [];
    for (const entry of entries.slice(seq)) {
      const fields = { ...entry, [column]: entry.seq === seq ? value : entry[column] };
      const chained = chainEntry(prev, fields);
      statements.push(
        `UPDATE audit_entries SET ${column} = '${fields[column]}', prev_hash = '${prev}', entry_hash = '${chained.entryHash}', ` +
          `leaf_hash = '${Buffer.from(leafHash(auditLeafBytes(fields))).toString('hex')}' WHERE seq = ${entry.seq}`,
      );
      prev = chained.entryHash;
    }
    return statements;
  }

  it('verifies the untouched log, witnessed by the file, and reports what no witness covers yet', async () => {
    expect(await verdict()).toEqual({ ok: true });
    await ledger.append({ idempotencyKey: 'late-0', tenantId: TENANT, actor: 'user:u0', action: 'inference.request' });
    await ledger.append({ idempotencyKey: 'late-1', tenantId: TENANT, actor: 'user:u0', action: 'inference.request' });
    try {
      const outcome = await verifyStoredLog(ledger.store, keys.publicKey, fullOptions());
      expect(outcome.verification).toMatchObject({ ok: true, size: SIZE + 2, witness: { witnessedSize: SIZE, uncovered: 2 } });
      expect(outcome.lines).toEqual([
        `ok: ${SIZE + 2} entries, 6 checkpoints in the database`,
        `witnessed: entries 0..${SIZE - 1} match 6 witnessed checkpoints (witness-file:${witnessFile})`,
        `not yet covered: 2 entries (${SIZE}..${SIZE + 1}) after the last witnessed checkpoint; the next checkpoint covers them`,
      ]);
    } finally {
      await asSuperuser(test, `DELETE FROM audit_entries WHERE seq >= ${SIZE}`);
    }
  });

  it('names the first of two entries whose payload ciphertexts and idempotency keys were swapped', async () => {
    const swap = (column: string) => [
      `UPDATE audit_entries SET ${column} = (SELECT ${column} FROM audit_backup WHERE seq = 8) WHERE seq = 7`,
      `UPDATE audit_entries SET ${column} = (SELECT ${column} FROM audit_backup WHERE seq = 7) WHERE seq = 8`,
    ];
    const swapKeys = [
      `UPDATE audit_entries SET idempotency_key = 'swap-tmp' WHERE seq = 7`,
      `UPDATE audit_entries SET idempotency_key = (SELECT idempotency_key FROM audit_backup WHERE seq = 7) WHERE seq = 8`,
      `UPDATE audit_entries SET idempotency_key = (SELECT idempotency_key FROM audit_backup WHERE seq = 8) WHERE seq = 7`,
    ];
    expect(await tamperThenRestore([...swapKeys, ...swap('payload_ciphertext')])).toEqual({
      ok: false,
      problem: 'entry-hash-mismatch',
      firstBadSeq: 7,
    });
    // The ciphertexts alone: the committed digest no longer matches.
    expect(await tamperThenRestore(swap('payload_ciphertext'))).toEqual({ ok: false, problem: 'payload-digest-mismatch', firstBadSeq: 7 });
  });

  it('names an entry with one byte of its ciphertext flipped', async () => {
    expect(await tamperThenRestore([`UPDATE audit_entries SET payload_ciphertext = set_byte(payload_ciphertext, 5, get_byte(payload_ciphertext, 5) # 1) WHERE seq = 33`])).toEqual({
      ok: false,
      problem: 'payload-digest-mismatch',
      firstBadSeq: 33,
    });
  });

  it('names an entry whose data_classification, payload key id or entry MAC was edited', async () => {
    expect(await tamperThenRestore([`UPDATE audit_entries SET data_classification = 'public' WHERE seq = 21`])).toEqual({ ok: false, problem: 'entry-hash-mismatch', firstBadSeq: 21 });
    expect(await tamperThenRestore([`UPDATE audit_entries SET payload_key_id = 'tenant:other' WHERE seq = 22`])).toEqual({ ok: false, problem: 'entry-hash-mismatch', firstBadSeq: 22 });
    expect(await tamperThenRestore([`UPDATE audit_entries SET entry_mac = NULL WHERE seq = 23`])).toEqual({ ok: false, problem: 'entry-mac-invalid', firstBadSeq: 23 });
  });

  it('names an entry whose stored leaf_hash was edited', async () => {
    expect(await tamperThenRestore([`UPDATE audit_entries SET leaf_hash = (SELECT leaf_hash FROM audit_backup WHERE seq = 11) WHERE seq = 12`])).toEqual({
      ok: false,
      problem: 'leaf-hash-mismatch',
      firstBadSeq: 12,
    });
  });

  it('serves no inclusion proof for an entry whose leaf_hash or fields were edited', async () => {
    const fresh = () => createAuditLedger({ store: ledger.store, keys, anchors: [], checkpointIntervalMs: 0 });
    const untouched = fresh();
    await expect(untouched.inclusionProof(12, 40)).resolves.toMatchObject({ seq: 12, treeSize: 40 });
    await untouched.close();
    for (const statement of [
      `UPDATE audit_entries SET leaf_hash = (SELECT leaf_hash FROM audit_backup WHERE seq = 11) WHERE seq = 12`,
      `UPDATE audit_entries SET data_classification = 'restricted' WHERE seq = 12`,
    ]) {
      await asSuperuser(test, statement);
      const reader = fresh();
      try {
        await expect(reader.inclusionProof(12, 40)).rejects.toThrow(/audit entry 12 does not hash to its leaf/);
      } finally {
        await reader.close();
        await asSuperuser(test, 'DELETE FROM audit_entries', 'INSERT INTO audit_entries SELECT * FROM audit_backup');
      }
    }
  });

  it('fails when the tail was deleted with its checkpoints: the witness file still holds the larger checkpoint', async () => {
    expect(await tamperThenRestore([`DELETE FROM audit_entries WHERE seq >= 45`, 'DELETE FROM audit_checkpoints WHERE tree_size > 45'])).toEqual({
      ok: false,
      problem: 'witnessed-checkpoint-beyond-log',
      firstBadSeq: 45,
    });
    // The same through the HTTP witness alone.
    expect(await tamperThenRestore([`DELETE FROM audit_entries WHERE seq >= 45`, 'DELETE FROM audit_checkpoints WHERE tree_size > 45'], { witnessUrl: httpWitness.url })).toEqual({
      ok: false,
      problem: 'witnessed-checkpoint-beyond-log',
      firstBadSeq: 45,
    });
  });

  it('names the changed entry when the chain was rewritten and every checkpoint deleted (at 12 and at 50, not 11 or 48)', async () => {
    for (const seq of [12, 50]) {
      const statements = [...(await rewriteFrom(seq, 'actor', 'user:mallory')), 'DELETE FROM audit_checkpoints'];
      expect(await tamperThenRestore(statements)).toEqual({ ok: false, problem: 'entry-mac-invalid', firstBadSeq: seq });
      // Without the MAC key, the witnesses still catch it, at their granularity (the last checkpoint that matches).
      expect(await tamperThenRestore(statements, { witnessFile })).toEqual({ ok: false, problem: 'witnessed-checkpoint-inconsistent', firstBadSeq: Math.floor(seq / 10) * 10 });
      expect(await tamperThenRestore(statements, { witnessUrl: httpWitness.url })).toEqual({ ok: false, problem: 'witnessed-checkpoint-inconsistent', firstBadSeq: Math.floor(seq / 10) * 10 });
    }
  });

  it('fails when checkpoints alone were deleted from the database, naming no entry', async () => {
    expect(await tamperThenRestore(['DELETE FROM audit_checkpoints'])).toEqual({ ok: false, problem: 'checkpoint-missing', firstBadSeq: null });
    expect(await tamperThenRestore(['DELETE FROM audit_checkpoints WHERE tree_size = 30'])).toEqual({ ok: false, problem: 'checkpoint-missing', firstBadSeq: null });
  });

  it('says the log is unwitnessed when no witness holds a checkpoint, and what that means', async () => {
    const outcome = await verifyStoredLog(ledger.store, keys.publicKey, { witnessFile: path.join(witnessDir, 'absent.jsonl'), subjectHmacKey: keys.subjectHmacKey });
    expect(outcome.verification.ok).toBe(true);
    expect(outcome.unwitnessed).toBe(true);
    expect(outcome.lines[1]).toMatch(/^warning: UNWITNESSED: no witness holds a checkpoint of this log \(looked in witness-file:.*absent\.jsonl \(absent\)\)\. .*rewrite or truncate/);
    // Deleting the checkpoints is then invisible: the reason the warning exists.
    expect(await tamperThenRestore(['DELETE FROM audit_checkpoints'], { witnessFile: path.join(witnessDir, 'absent.jsonl') })).toEqual({ ok: true });
  });

  it('refuses to call a log verified when a configured HTTP witness cannot be read', async () => {
    const down = await startHttpWitness();
    await down.close();
    await expect(verifyStoredLog(ledger.store, keys.publicKey, { witnessFile, witnessUrl: down.url })).rejects.toBeInstanceOf(WitnessUnavailableError);
  });

  it('still verifies after retention dropped payloads and a data subject was crypto-shredded', async () => {
    try {
      const expired = await ledger.expirePayloads(new Date(Date.now() + 400 * 24 * 60 * 60 * 1000));
      expect(expired).toBe(45);
      await ledger.eraseSubject('subject-2');
      expect((await ledger.exportSubject('subject-2')).every((entry) => entry.payloadState !== 'AVAILABLE')).toBe(true);
      expect(await verdict()).toEqual({ ok: true });
    } finally {
      await asSuperuser(test, 'DELETE FROM audit_entries', 'INSERT INTO audit_entries SELECT * FROM audit_backup');
    }
  });
});

describe('audit verify on Postgres: a log written before leaf v2', () => {
  let test: TestDatabase;
  let ledger: AuditLedger;

  beforeAll(async () => {
    test = await createTestDatabase();
    const store = createPrismaAuditStore(test.db);
    ledger = createAuditLedger({ store, keys, anchors: [databaseAnchor(store)], checkpointEvery: 5, checkpointIntervalMs: 0 });
  });
  afterAll(async () => {
    await ledger.close();
    await test.drop();
  });

  it('verifies v1 entries under the v1 rule and v2 entries after them under v2, and refuses a downgrade', async () => {
    // What an appender of the previous release wrote: leaf v1, no MAC.
    const drafts: AuditDraft[] = Array.from({ length: 4 }, (_, i) => {
      const ciphertext = new TextEncoder().encode(`old ciphertext ${i}`);
      return {
        leafVersion: 1,
        entryMac: null,
        idempotencyKey: `old-${i}`,
        occurredAt: new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString(),
        tenantId: TENANT,
        actor: 'user:old',
        action: 'api_key.create',
        subjectKey: null,
        dataClassification: 'internal',
        payloadDigest: payloadDigest(ciphertext),
        payloadCiphertext: ciphertext,
        payloadKeyId: `tenant:${TENANT}`,
      };
    });
    const old = await ledger.store.appendBatch(drafts, (prevHash, seq, draft) => {
      const { payloadCiphertext: _ciphertext, entryMac: _mac, ...fields } = draft;
      const leaf = leafHash(auditLeafBytes({ ...fields, seq }));
      return { prevHash, entryHash: chainHashOfLeaf(prevHash, leaf), leafHash: Buffer.from(leaf).toString('hex') };
    });
    expect(old.map((item) => item.entry.leafVersion)).toEqual([1, 1, 1, 1]);
    for (let i = 0; i < 6; i += 1) await ledger.append({ idempotencyKey: `new-${i}`, tenantId: TENANT, actor: 'user:new', action: 'api_key.create' });
    const entries = await ledger.store.listEntries('platform', {}, -1, 100);
    expect(entries.map((entry) => entry.leafVersion)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    const options = { subjectHmacKey: keys.subjectHmacKey };
    expect((await verifyStoredLog(ledger.store, keys.publicKey, options)).verification).toMatchObject({ ok: true, size: 10 });
    await asSuperuser(test, 'UPDATE audit_entries SET leaf_version = 1 WHERE seq = 7');
    expect((await verifyStoredLog(ledger.store, keys.publicKey, options)).verification).toMatchObject({ ok: false, problem: 'leaf-version-invalid', firstBadSeq: 7 });
  });
});
