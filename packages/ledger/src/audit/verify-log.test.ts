import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainEntry, leafHash, nodeAuditLogVerifier, payloadDigest, rootOfLeafHashes, signCheckpoint, verifyCheckpointSignature } from '../node';
import { auditLeafBytes, GENESIS_HASH, type AuditEntryFields, type ChainedAuditEntry } from './audit-entry';
import type { Checkpoint } from './checkpoint';
import { verifyAuditLog, type VerifiableAuditEntry } from './verify-log';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');

function fields(seq: number, action = `action-${seq}`): AuditEntryFields {
  return {
    seq,
    occurredAt: new Date(Date.UTC(2026, 10, 26, 0, 0, seq)).toISOString(),
    tenantId: seq % 2 === 0 ? 'tenant-a' : 'tenant-b',
    actor: 'user:alice',
    action,
    subjectKey: seq % 3 === 0 ? 'subject-hmac' : null,
    payloadDigest: payloadDigest(`payload ${seq}`),
  };
}

function buildLog(size: number): ChainedAuditEntry[] {
  const entries: ChainedAuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 0; seq < size; seq += 1) {
    const entry = chainEntry(prev, fields(seq));
    entries.push(entry);
    prev = entry.entryHash;
  }
  return entries;
}

function checkpointAt(entries: readonly ChainedAuditEntry[], size: number): Checkpoint {
  const root = Buffer.from(rootOfLeafHashes(entries.slice(0, size).map((entry) => leafHash(auditLeafBytes(entry))))).toString('hex');
  return signCheckpoint({ logId: 'test', treeSize: size, rootHash: root, issuedAt: '2026-11-26T00:00:00.000Z' }, privateKey);
}

/** Rebuild the chain from `from` on, as an attacker with database access would after an edit. */
function rechain(entries: ChainedAuditEntry[], from: number): ChainedAuditEntry[] {
  const out = entries.slice(0, from);
  let prev = from === 0 ? GENESIS_HASH : (entries[from - 1] as ChainedAuditEntry).entryHash;
  for (const entry of entries.slice(from)) {
    const linked = chainEntry(prev, entry);
    out.push(linked);
    prev = linked.entryHash;
  }
  return out;
}

describe('audit log verification', () => {
  const log = buildLog(20);
  const checkpoints = [checkpointAt(log, 8), checkpointAt(log, 16), checkpointAt(log, 20)];

  it('accepts an untouched log with its checkpoints', () => {
    expect(verifyAuditLog(log, checkpoints, nodeAuditLogVerifier(publicKey))).toEqual({
      ok: true,
      size: 20,
      checkpointsVerified: 3,
      witness: { witnessedCheckpoints: 0, witnessedSize: 0, uncovered: 20, ignored: [] },
    });
  });

  it('names an edited entry', () => {
    const edited = log.map((entry) => (entry.seq === 11 ? { ...entry, action: 'policy.delete' } : entry));
    expect(verifyAuditLog(edited, checkpoints, nodeAuditLogVerifier(publicKey))).toMatchObject({ ok: false, problem: 'entry-hash-mismatch', firstBadSeq: 11 });
  });

  it('names a deleted entry (a gap) and a deletion from the end', () => {
    expect(verifyAuditLog(log.filter((entry) => entry.seq !== 5), checkpoints, nodeAuditLogVerifier(publicKey))).toMatchObject({ ok: false, problem: 'gap', firstBadSeq: 5 });
    expect(verifyAuditLog(log.slice(0, 18), checkpoints, nodeAuditLogVerifier(publicKey))).toMatchObject({ ok: false, problem: 'checkpoint-beyond-log', firstBadSeq: 18 });
  });

  it('names reordered and inserted entries', () => {
    const swapped = [...log];
    [swapped[3], swapped[4]] = [swapped[4] as ChainedAuditEntry, swapped[3] as ChainedAuditEntry];
    expect(verifyAuditLog(swapped, checkpoints, nodeAuditLogVerifier(publicKey))).toMatchObject({ ok: false, firstBadSeq: 3 });
    const inserted = [...log.slice(0, 7), { ...(log[6] as ChainedAuditEntry) }, ...log.slice(7)];
    expect(verifyAuditLog(inserted, checkpoints, nodeAuditLogVerifier(publicKey))).toMatchObject({ ok: false, problem: 'duplicate-or-reordered', firstBadSeq: 7 });
  });

  it('catches an edit whose chain was rewritten, at the first checkpoint it breaks', () => {
    const edited = log.map((entry) => (entry.seq === 12 ? { ...entry, actor: 'user:mallory' } : entry));
    const rewritten = rechain(edited, 12);
    expect(verifyAuditLog(rewritten, [], nodeAuditLogVerifier(publicKey))).toMatchObject({ ok: true });
    expect(verifyAuditLog(rewritten, checkpoints, nodeAuditLogVerifier(publicKey))).toMatchObject({ ok: false, problem: 'checkpoint-root-mismatch', firstBadSeq: 8 });
  });

  it('refuses a forged checkpoint', () => {
    const other = generateKeyPairSync('ed25519');
    const forged = signCheckpoint({ logId: 'test', treeSize: 8, rootHash: (checkpoints[0] as Checkpoint).rootHash, issuedAt: 'x' }, other.privateKey);
    expect(verifyCheckpointSignature(forged, publicKey)).toBe(false);
    expect(verifyAuditLog(log, [forged], nodeAuditLogVerifier(publicKey))).toMatchObject({ ok: false, problem: 'wrong-keys', firstBadSeq: null });
    expect(verifyAuditLog(log, [checkpoints[0] as Checkpoint, forged], nodeAuditLogVerifier(publicKey))).toMatchObject({ ok: false, problem: 'checkpoint-signature-invalid' });
    expect(verifyCheckpointSignature({ ...(checkpoints[0] as Checkpoint), treeSize: 9 }, publicKey)).toBe(false);
  });
});

/** A v2 log as the store keeps it: every field, the stored leaf hash and the ciphertext. */
function buildV2Log(size: number, from = 0, upgradeAt = 0): VerifiableAuditEntry[] {
  const entries: VerifiableAuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = from; seq < size; seq += 1) {
    const ciphertext = new TextEncoder().encode(`ciphertext ${seq}`);
    const entryFields: AuditEntryFields = {
      ...fields(seq),
      leafVersion: seq >= upgradeAt ? 2 : 1,
      idempotencyKey: `req-${seq}`,
      dataClassification: 'internal',
      payloadKeyId: `tenant:${seq % 2}`,
      payloadDigest: payloadDigest(ciphertext),
    };
    const entry = chainEntry(prev, entryFields);
    entries.push({ ...entry, leafHash: Buffer.from(leafHash(auditLeafBytes(entryFields))).toString('hex'), payloadCiphertext: ciphertext });
    prev = entry.entryHash;
  }
  return entries;
}

describe('audit log verification: every stored field, witnesses', () => {
  const v2 = buildV2Log(20, 0, 6);
  const v2Checkpoints = [checkpointAt(v2, 8), checkpointAt(v2, 16)];
  const verify = (entries: readonly VerifiableAuditEntry[], checkpoints: readonly Checkpoint[], witnessed: readonly Checkpoint[] = []) =>
    verifyAuditLog(entries, checkpoints, nodeAuditLogVerifier(publicKey), { witnesses: [{ source: 'witness-file:test', checkpoints: witnessed }] });
  const edit = (seq: number, change: Partial<VerifiableAuditEntry>) => v2.map((entry) => (entry.seq === seq ? { ...entry, ...change } : entry));

  it('verifies a log that switched from leaf v1 to v2 (old entries under the old rule)', () => {
    expect(verify(v2, v2Checkpoints, [v2Checkpoints[1] as Checkpoint])).toMatchObject({ ok: true, size: 20, witness: { witnessedSize: 16, uncovered: 4 } });
  });

  it('names an entry whose idempotency key, classification or payload key id was edited', () => {
    expect(verify(edit(12, { idempotencyKey: 'req-13' }), v2Checkpoints)).toMatchObject({ ok: false, problem: 'entry-hash-mismatch', firstBadSeq: 12 });
    expect(verify(edit(7, { dataClassification: 'public' }), v2Checkpoints)).toMatchObject({ ok: false, problem: 'entry-hash-mismatch', firstBadSeq: 7 });
    expect(verify(edit(19, { payloadKeyId: 'tenant:0' }), v2Checkpoints)).toMatchObject({ ok: false, problem: 'entry-hash-mismatch', firstBadSeq: 19 });
  });

  it('refuses a version downgrade and an unknown version', () => {
    expect(verify(edit(10, { leafVersion: 1 }), v2Checkpoints)).toMatchObject({ ok: false, problem: 'leaf-version-invalid', firstBadSeq: 10 });
    expect(verify(edit(3, { leafVersion: 3 as 2 }), v2Checkpoints)).toMatchObject({ ok: false, problem: 'leaf-version-invalid', firstBadSeq: 3 });
  });

  it('names an entry whose stored leaf hash or ciphertext was changed, and accepts a dropped payload', () => {
    expect(verify(edit(9, { leafHash: (v2[8] as VerifiableAuditEntry).leafHash ?? '' }), v2Checkpoints)).toMatchObject({ ok: false, problem: 'leaf-hash-mismatch', firstBadSeq: 9 });
    const flipped = new Uint8Array((v2[4] as VerifiableAuditEntry).payloadCiphertext ?? []);
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(verify(edit(4, { payloadCiphertext: flipped }), v2Checkpoints)).toMatchObject({ ok: false, problem: 'payload-digest-mismatch', firstBadSeq: 4 });
    expect(verify(edit(4, { payloadCiphertext: null }), v2Checkpoints)).toMatchObject({ ok: true });
  });

  it('fails when a witness holds a checkpoint beyond the log or one the log no longer matches', () => {
    const big = checkpointAt(v2, 20);
    expect(verify(v2.slice(0, 17), v2Checkpoints, [big])).toMatchObject({ ok: false, problem: 'witnessed-checkpoint-beyond-log', firstBadSeq: 17 });
    // The attacker also rewrites the stored leaf hashes, so only the witnessed roots expose the edit.
    const rewritten = rechain(
      v2.map((entry) => (entry.seq === 12 ? { ...entry, actor: 'user:mallory' } : entry)),
      12,
    ).map((entry) => ({ ...entry, leafHash: Buffer.from(leafHash(auditLeafBytes(entry))).toString('hex') }));
    expect(verify(rewritten, [], [v2Checkpoints[0] as Checkpoint, v2Checkpoints[1] as Checkpoint])).toMatchObject({ ok: false, problem: 'witnessed-checkpoint-inconsistent', firstBadSeq: 8 });
  });

  it('says the keys are wrong instead of naming entry 0 when no checkpoint verifies under them', () => {
    const other = generateKeyPairSync('ed25519');
    expect(verifyAuditLog(v2, v2Checkpoints, nodeAuditLogVerifier(other.publicKey), { entryMac: () => 'wrong' })).toMatchObject({ ok: false, problem: 'wrong-keys', firstBadSeq: null });
  });

  it('fails when the database lost checkpoints a witness holds, and ignores forged witness lines', () => {
    expect(verify(v2, [], v2Checkpoints)).toMatchObject({ ok: false, problem: 'checkpoint-missing', firstBadSeq: null });
    const other = generateKeyPairSync('ed25519');
    const forged = signCheckpoint({ logId: 'test', treeSize: 30, rootHash: '00'.repeat(32), issuedAt: 'x' }, other.privateKey);
    expect(verify(v2, v2Checkpoints, [forged])).toMatchObject({ ok: true, witness: { witnessedCheckpoints: 0, uncovered: 20, ignored: [{ source: 'witness-file:test', treeSize: 30 }] } });
  });
});
