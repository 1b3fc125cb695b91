import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainEntry, leafHash, nodeAuditLogVerifier, payloadDigest, rootOfLeafHashes, signCheckpoint, verifyCheckpointSignature } from '../node';
import { auditLeafBytes, GENESIS_HASH, type AuditEntryFields, type ChainedAuditEntry } from './audit-entry';
import type { Checkpoint } from './checkpoint';
import { verifyAuditLog } from './verify-log';

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
    expect(verifyAuditLog(log, checkpoints, nodeAuditLogVerifier(publicKey))).toEqual({ ok: true, size: 20, checkpointsVerified: 3 });
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
    expect(verifyAuditLog(log, [forged], nodeAuditLogVerifier(publicKey))).toMatchObject({ ok: false, problem: 'checkpoint-signature-invalid' });
    expect(verifyCheckpointSignature({ ...(checkpoints[0] as Checkpoint), treeSize: 9 }, publicKey)).toBe(false);
  });
});
