import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { verifyAuditLog } from '@switchyard/ledger';
import { verifyConsistency, verifyInclusion, nodeAuditLogVerifier } from '@switchyard/ledger/node';
import { databaseAnchor, witnessFileAnchor } from './anchor';
import { AuditError } from './audit-error';
import { generateAuditKeys } from './audit-keys';
import { createAuditLedger, type AuditLedger } from './audit-ledger';
import { createPrismaAuditStore } from './prisma-audit-store';
import { readWholeLog } from './read-whole-log';
import { readWitnessFile } from './witness-read';

const TENANT = '11111111-1111-4111-8111-111111111111';
const OTHER_TENANT = '22222222-2222-4222-8222-222222222222';
const fromHex = (value: string) => Buffer.from(value, 'hex');

describe('AuditLedger on PGlite', () => {
  let test: MemoryTestDatabase;
  let ledger: AuditLedger;
  let witnessDir: string;
  const keys = generateAuditKeys();
  let clock = new Date('2026-01-01T00:00:00.000Z');

  beforeAll(async () => {
    test = await createMemoryTestDatabase();
    witnessDir = await mkdtemp(path.join(tmpdir(), 'audit-witness-'));
    const store = createPrismaAuditStore(test.db);
    ledger = createAuditLedger({
      store,
      keys,
      anchors: [databaseAnchor(store), witnessFileAnchor(path.join(witnessDir, 'witness.jsonl'))],
      checkpointEvery: 5,
      checkpointIntervalMs: 0,
      now: () => clock,
    });
  });
  afterAll(async () => {
    await ledger.close();
    await test.drop();
    await rm(witnessDir, { recursive: true, force: true });
  });

  it('appends gap-free, chains entries, and is idempotent by key', async () => {
    const first = await ledger.append({ idempotencyKey: 'req-1', tenantId: TENANT, actor: 'api-key:k1', action: 'inference.request', payload: { model: 'mock-gpt', costMicros: '12' } });
    const again = await ledger.append({ idempotencyKey: 'req-1', tenantId: TENANT, actor: 'api-key:k1', action: 'inference.request', payload: { model: 'other' } });
    expect(first.created).toBe(true);
    expect(first.entry.seq).toBe(0);
    expect(again.created).toBe(false);
    expect(again.entry.entryHash).toBe(first.entry.entryHash);
    const batch = await ledger.appendMany(
      Array.from({ length: 6 }, (_, i) => ({ idempotencyKey: `evt-${i}`, tenantId: i % 2 === 0 ? TENANT : null, actor: 'user:alice', action: 'api_key.create', subjectId: i < 3 ? 'alice' : 'bob' })),
    );
    expect(batch.map((item) => item.entry.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(batch[1]?.entry.prevHash).toBe(batch[0]?.entry.entryHash);
  });

  it('checkpoints every N entries into the database and the witness file, and the log verifies', async () => {
    const checkpoints = await ledger.store.listCheckpoints();
    expect(checkpoints.map((checkpoint) => checkpoint.treeSize)).toEqual([7]);
    const witness = (await readFile(path.join(witnessDir, 'witness.jsonl'), 'utf8')).trim().split('\n');
    expect(witness).toHaveLength(1);
    expect(await ledger.checkpoint()).toBeNull();
    const { entries } = await readWholeLog(ledger.store);
    expect(verifyAuditLog(entries, checkpoints, nodeAuditLogVerifier(keys.publicKey))).toMatchObject({ ok: true, size: 7, checkpointsVerified: 1, witness: { witnessedCheckpoints: 0, uncovered: 7 } });
    const witnessed = await readWitnessFile(path.join(witnessDir, 'witness.jsonl'));
    expect(verifyAuditLog(entries, checkpoints, nodeAuditLogVerifier(keys.publicKey), { witnesses: [witnessed] })).toEqual({
      ok: true,
      size: 7,
      checkpointsVerified: 1,
      witness: { witnessedCheckpoints: 1, witnessedSize: 7, uncovered: 0, ignored: [] },
    });
  });

  it('serves inclusion and consistency proofs that verify against the checkpoint root', async () => {
    const checkpoint = await ledger.store.latestCheckpoint();
    expect(checkpoint).not.toBeNull();
    for (let seq = 0; seq < 7; seq += 1) {
      const proof = await ledger.inclusionProof(seq, 7);
      expect(proof.rootHash).toBe(checkpoint?.rootHash);
      expect(verifyInclusion(fromHex(proof.leafHash), seq, 7, proof.path.map(fromHex), fromHex(proof.rootHash))).toBe(true);
    }
    await ledger.append({ idempotencyKey: 'later', tenantId: OTHER_TENANT, actor: 'user:carol', action: 'policy.deny' });
    const consistency = await ledger.consistencyProof(7);
    expect(consistency.newSize).toBe(8);
    expect(verifyConsistency(7, 8, fromHex(consistency.oldRootHash), fromHex(consistency.newRootHash), consistency.path.map(fromHex))).toBe(true);
  });

  it('rejects proofs for sizes the log does not have and malformed events', async () => {
    await expect(ledger.inclusionProof(0, 10_000)).rejects.toBeInstanceOf(AuditError);
    await expect(ledger.inclusionProof(-1)).rejects.toBeInstanceOf(AuditError);
    await expect(ledger.consistencyProof(5, 3)).rejects.toBeInstanceOf(AuditError);
    await expect(ledger.append({ idempotencyKey: '', tenantId: TENANT, actor: 'x', action: 'a.b' })).rejects.toBeInstanceOf(AuditError);
    await expect(ledger.append({ idempotencyKey: 'k', tenantId: 'not-a-uuid', actor: 'x', action: 'a.b' })).rejects.toBeInstanceOf(AuditError);
    await expect(ledger.append({ idempotencyKey: 'k', tenantId: null, actor: 'x', action: 'DROP TABLE' })).rejects.toBeInstanceOf(AuditError);
    await expect(ledger.append({ idempotencyKey: 'k', tenantId: null, actor: 'x', action: 'a.b', payload: { blob: 'x'.repeat(20_000) } })).rejects.toBeInstanceOf(AuditError);
  });

  it('exports a subject, then erases it by crypto-shredding while the log and proofs still verify', async () => {
    const exported = await ledger.exportSubject('alice');
    expect(exported.map((entry) => entry.seq)).toEqual([1, 2, 3]);
    expect(exported.every((entry) => entry.payloadState === 'AVAILABLE' && entry.payload === '{}')).toBe(true);
    expect(exported[0]?.subjectKey).toBe(ledger.subjectKey('alice'));
    expect(exported[0]?.subjectKey).not.toContain('alice');

    const erased = await ledger.eraseSubject('alice');
    expect(erased).toMatchObject({ keyDeleted: true, entries: 3 });
    const after = await ledger.exportSubject('alice');
    expect(after.map((entry) => entry.payloadState)).toEqual(['ERASED', 'ERASED', 'ERASED']);
    expect(after.every((entry) => entry.payload === null)).toBe(true);
    expect((await ledger.exportSubject('bob')).every((entry) => entry.payloadState === 'AVAILABLE')).toBe(true);

    await ledger.checkpoint();
    const { entries, checkpoints } = await readWholeLog(ledger.store);
    expect(verifyAuditLog(entries, checkpoints, nodeAuditLogVerifier(keys.publicKey)).ok).toBe(true);
    const proof = await ledger.inclusionProof(2);
    expect(verifyInclusion(fromHex(proof.leafHash), 2, proof.treeSize, proof.path.map(fromHex), fromHex(proof.rootHash))).toBe(true);
  });

  it('expires payloads past their classification TTL and keeps every hash', async () => {
    clock = new Date('2026-01-01T00:00:00.000Z');
    await ledger.append({ idempotencyKey: 'restricted-1', tenantId: TENANT, actor: 'user:x', action: 'policy.change', dataClassification: 'restricted', payload: { secret: 1 } });
    await ledger.append({ idempotencyKey: 'public-1', tenantId: TENANT, actor: 'user:x', action: 'policy.change', dataClassification: 'public', payload: { open: 1 } });
    expect(await ledger.expirePayloads(new Date('2026-01-15T00:00:00.000Z'))).toBe(0);
    expect(await ledger.expirePayloads(new Date('2026-03-01T00:00:00.000Z'))).toBe(1);
    const [restricted, open] = await ledger.readable(await ledger.store.listEntries('platform', { action: 'policy.change' }, -1, 10));
    expect(restricted?.payloadState).toBe('EXPIRED');
    expect(open?.payload).toBe('{"open":1}');
    const { entries, checkpoints } = await readWholeLog(ledger.store);
    expect(verifyAuditLog(entries, checkpoints, nodeAuditLogVerifier(keys.publicKey)).ok).toBe(true);
  });

  it('is append-only for the service role: no edits of hashed fields, no deletes, no tenant appends', async () => {
    await expect(test.db.withPlatform((tx) => tx.auditEntry.updateMany({ where: { seq: 0n }, data: { actor: 'user:mallory' } }))).rejects.toThrow();
    await expect(test.db.withPlatform((tx) => tx.auditEntry.deleteMany({ where: { seq: 0n } }))).rejects.toThrow();
    await expect(test.db.withPlatform((tx) => tx.auditCheckpoint.deleteMany({}))).rejects.toThrow();
    await expect(
      test.db.withTenant(TENANT, (tx) =>
        tx.auditEntry.create({
          data: { seq: 999n, occurredAt: new Date(), tenantId: TENANT, actor: 'x', action: 'x', dataClassification: 'public', payloadDigest: 'x', payloadKeyId: 'x', leafHash: 'x', prevHash: 'x', entryHash: 'x', idempotencyKey: 'forged' },
        }),
      ),
    ).rejects.toThrow();
    const forged = JSON.stringify([{ idempotencyKey: 'forged-fn', occurredAt: new Date().toISOString(), tenantId: TENANT, actor: 'x', action: 'x', dataClassification: 'public', payloadDigest: 'x', payloadKeyId: 'x', leafHead: '', leafTail: '' }]);
    // Only the platform role may call it (migration tenant_platform_roles), app.scope or not.
    await expect(test.db.withTenant(TENANT, (tx) => tx.$queryRaw`SELECT * FROM switchyard_audit_append(${forged}::jsonb)`)).rejects.toThrow(/permission denied for function switchyard_audit_append/);
    await expect(
      test.db.withTenant(TENANT, async (tx) => {
        await tx.$queryRaw`SELECT set_config('app.scope', 'platform', true)`;
        return tx.$queryRaw`SELECT * FROM switchyard_audit_append(${forged}::jsonb)`;
      }),
    ).rejects.toThrow(/permission denied for function switchyard_audit_append/);
    const { entries, checkpoints } = await readWholeLog(ledger.store);
    expect(verifyAuditLog(entries, checkpoints, nodeAuditLogVerifier(keys.publicKey)).ok).toBe(true);
  });

  it('chains in the database exactly as the ledger hashes: repeats within a batch, quotes, control characters and non-ASCII', async () => {
    const size = await ledger.store.size();
    const odd = { tenantId: null, action: 'policy.change', payload: { note: 'ü"\\\n' } };
    const batch = await ledger.appendMany([
      { ...odd, idempotencyKey: 'odd-1', actor: 'user:"zoë"\t\\ 数据 😀' },
      { ...odd, idempotencyKey: 'odd-1', actor: 'user:someone-else' },
      { ...odd, idempotencyKey: 'odd-2', actor: 'user:\u0001\u2028', subjectId: 'søren' },
    ]);
    expect(batch.map((item) => [item.entry.seq, item.created])).toEqual([
      [size, true],
      [size, false],
      [size + 1, true],
    ]);
    expect(batch[1]?.entry.actor).toBe('user:"zoë"\t\\ 数据 😀');
    const { entries, checkpoints } = await readWholeLog(ledger.store);
    expect(verifyAuditLog(entries, checkpoints, nodeAuditLogVerifier(keys.publicKey)).ok).toBe(true);
  });

  it('lets a tenant read only its own entries (row-level security)', async () => {
    const own = await ledger.store.listEntries({ tenantId: TENANT }, {}, -1, 100);
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((entry) => entry.tenantId === TENANT)).toBe(true);
    expect(await ledger.store.getEntry({ tenantId: TENANT }, 7)).toBeNull();
    expect((await ledger.store.getEntry('platform', 7))?.tenantId).toBe(OTHER_TENANT);
  });

  it('finds an API key\'s entries by its actor, also those written as user:api-key:<id> before there was one form', async () => {
    await ledger.appendMany([
      { idempotencyKey: 'legacy-actor', tenantId: TENANT, actor: 'user:api-key:k9', action: 'route.create' },
      { idempotencyKey: 'current-actor', tenantId: TENANT, actor: 'api-key:k9', action: 'route.update' },
    ]);
    const byKey = await ledger.store.listEntries('platform', { actor: 'api-key:k9' }, -1, 100);
    expect(byKey.map((entry) => entry.action)).toEqual(['route.create', 'route.update']);
    const byPerson = await ledger.store.listEntries('platform', { actor: 'user:alice' }, -1, 100);
    expect(byPerson.length).toBeGreaterThan(0);
    expect(byPerson.every((entry) => entry.actor === 'user:alice')).toBe(true);
  });
});
