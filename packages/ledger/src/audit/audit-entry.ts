import { bytesToHex, hexToBytes, type Hasher } from '../hasher';
import { createMerkle } from '../merkle';

/**
 * Leaf formats, versioned per entry (the `leaf_version` column), so a log written before a format
 * change keeps verifying under the rule it was written with:
 * - 1: `["switchyard.audit.v1", seq, occurredAt, tenantId, actor, action, subjectKey, payloadDigest]`.
 *   Did not commit to the idempotency key, the classification or the payload key id: those could be
 *   edited (or swapped between entries) without breaking a hash.
 * - 2 (every entry appended since): v1's fields, then idempotencyKey, dataClassification and
 *   payloadKeyId: every stored column of the entry except the payload itself (committed through
 *   its digest) and the hashes computed from the leaf.
 * The version string is inside the hashed bytes, so relabelling an entry's version changes its
 * leaf; the verifier also refuses a v1 entry after a v2 one (no downgrade).
 */
export type AuditLeafVersion = 1 | 2;
export const CURRENT_AUDIT_LEAF_VERSION: AuditLeafVersion = 2;

/**
 * One audit-log entry as the chain and the Merkle tree see it. The payload itself is NOT part of
 * the leaf, only its digest (SHA-256 of the ciphertext, which is kept): a payload can be
 * crypto-shredded (data-subject erasure: the key is deleted, the ciphertext stays) or expire
 * (retention: the ciphertext is dropped, the digest stays) while every hash, chain link and proof
 * stays verifiable.
 */
export interface AuditEntryFields {
  /** Leaf format (see AuditLeafVersion); absent means 1. */
  leafVersion?: AuditLeafVersion;
  /** 0-based position in the log; the leaf index in the Merkle tree. */
  seq: number;
  /** ISO-8601 UTC time of the append. */
  occurredAt: string;
  tenantId: string | null;
  actor: string;
  action: string;
  /** Keyed HMAC of the data subject's id (pseudonymous index for export/erasure), or null. */
  subjectKey: string | null;
  /** SHA-256 hex of the (encrypted) payload as stored at append time. */
  payloadDigest: string;
  /** v2: the caller's idempotency key (unique in the log). */
  idempotencyKey?: string;
  /** v2: public | internal | confidential | restricted (decides retention). */
  dataClassification?: string;
  /** v2: the payload key (row of audit_subject_keys) that encrypts the payload. */
  payloadKeyId?: string;
}


export interface ChainedAuditEntry extends AuditEntryFields {
  /** entryHash of the previous entry (hex); GENESIS_HASH for seq 0. */
  prevHash: string;
  /** SHA-256(prevHash ‖ leafHash) in hex. */
  entryHash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * Canonical bytes of an entry: a JSON array with a fixed field order, so no two different entries
 * share an encoding and no serializer's key order can change a hash.
 */
export function auditLeafBytes(fields: AuditEntryFields): Uint8Array {
  const { head, tail } = auditLeafTextAroundSeq(fields);
  // A safe integer's JSON text is its decimal digits, so this is JSON.stringify of the whole array.
  return new TextEncoder().encode(`${head}${fields.seq}${tail}`);
}

/**
 * The canonical leaf text split around the seq: leaf = head ‖ decimal(seq) ‖ tail. Lets whoever
 * assigns the position (the database, under its append lock) hash the leaf without re-encoding it.
 */
export function auditLeafTextAroundSeq(fields: Omit<AuditEntryFields, 'seq'>): { head: string; tail: string } {
  const v1 = [fields.occurredAt, fields.tenantId, fields.actor, fields.action, fields.subjectKey, fields.payloadDigest];
  if ((fields.leafVersion ?? 1) === 1) return { head: '["switchyard.audit.v1",', tail: `,${JSON.stringify(v1).slice(1)}` };
  const { idempotencyKey, dataClassification, payloadKeyId } = fields;
  if (idempotencyKey === undefined || dataClassification === undefined || payloadKeyId === undefined) {
    throw new TypeError('a v2 audit leaf needs idempotencyKey, dataClassification and payloadKeyId');
  }
  return { head: '["switchyard.audit.v2",', tail: `,${JSON.stringify([...v1, idempotencyKey, dataClassification, payloadKeyId]).slice(1)}` };
}

const utf8 = new TextEncoder();

/**
 * What an entry's MAC covers (leaf v2 on): the leaf text without the seq (head ‖ tail), which the
 * appender knows before the database assigns the position. Null for v1 entries (they have none).
 * The MAC is keyed with a secret the database never sees, so someone who can write to the table and
 * rewrites the chain after an edit still leaves the changed entry's MAC wrong: the verifier names
 * exactly that entry instead of "somewhere after the last good checkpoint".
 */
export function auditEntryMacMessage(fields: Omit<AuditEntryFields, 'seq'>): Uint8Array | null {
  if ((fields.leafVersion ?? 1) < 2) return null;
  const { head, tail } = auditLeafTextAroundSeq(fields);
  return utf8.encode(`${head}${tail}`);
}

/** The hash chain's functions over one SHA-256 implementation. */
export interface AuditChain {
  chainHash(prevHash: string, fields: AuditEntryFields): string;
  /** The same link from an already computed leaf hash (verifiers hash each leaf once). */
  chainHashOfLeaf(prevHash: string, leafHashValue: Uint8Array): string;
  /** Link a new entry to the head of the chain. */
  chainEntry(prevHash: string, fields: AuditEntryFields): ChainedAuditEntry;
  /** SHA-256 hex of a payload (a string counts as its UTF-8 bytes). */
  payloadDigest(payload: Uint8Array | string): string;
}

export function createAuditChain(hasher: Hasher): AuditChain {
  const { leafHash } = createMerkle(hasher);
  const chainHashOfLeaf = (prevHash: string, leafHashValue: Uint8Array): string => bytesToHex(hasher.sha256(hexToBytes(prevHash), leafHashValue));
  const chainHash = (prevHash: string, fields: AuditEntryFields): string => chainHashOfLeaf(prevHash, leafHash(auditLeafBytes(fields)));
  return {
    chainHash,
    chainHashOfLeaf,
    chainEntry: (prevHash, fields) => ({ ...fields, prevHash, entryHash: chainHash(prevHash, fields) }),
    payloadDigest: (payload) => bytesToHex(hasher.sha256(typeof payload === 'string' ? utf8.encode(payload) : payload)),
  };
}
