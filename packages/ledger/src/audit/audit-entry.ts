import { bytesToHex, hexToBytes, type Hasher } from '../hasher';
import { createMerkle } from '../merkle';

/**
 * One audit-log entry as the chain and the Merkle tree see it. The payload itself is NOT part of
 * the leaf, only its digest: a payload can be crypto-shredded (data-subject erasure) or expire
 * (retention) while every hash, chain link and proof stays verifiable.
 */
export interface AuditEntryFields {
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
  const rest = JSON.stringify([fields.occurredAt, fields.tenantId, fields.actor, fields.action, fields.subjectKey, fields.payloadDigest]);
  return { head: '["switchyard.audit.v1",', tail: `,${rest.slice(1)}` };
}

const utf8 = new TextEncoder();

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
