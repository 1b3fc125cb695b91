import type { AuditLeafVersion, Checkpoint, ChainedAuditEntry } from '@switchyard/ledger';
import type { DataClassification } from '@switchyard/events/audit';

/** An entry ready to be chained: everything but its position and hashes. */
export interface AuditDraft {
  /** The leaf format the entry is hashed under (CURRENT_AUDIT_LEAF_VERSION for new entries). */
  leafVersion: AuditLeafVersion;
  idempotencyKey: string;
  occurredAt: string;
  tenantId: string | null;
  actor: string;
  action: string;
  subjectKey: string | null;
  dataClassification: DataClassification;
  payloadDigest: string;
  payloadCiphertext: Uint8Array;
  payloadKeyId: string;
  /** HMAC of the leaf text without the seq (entry-mac.ts); null for leaf v1. */
  entryMac: string | null;
}

export interface StoredAuditEntry extends ChainedAuditEntry {
  /** Stored per entry (leaf_version): old entries keep verifying under the format they were written with. */
  leafVersion: AuditLeafVersion;
  /** See AuditDraft.entryMac. */
  entryMac: string | null;
  idempotencyKey: string;
  dataClassification: string;
  /** Null once retention dropped it. */
  payloadCiphertext: Uint8Array | null;
  payloadKeyId: string;
  /** RFC 9162 leaf hash (hex). */
  leafHash: string;
}

export interface AppendedEntry {
  entry: StoredAuditEntry;
  /** False when the idempotency key was already in the log (the existing entry is returned). */
  created: boolean;
}

export interface AuditEntryFilter {
  /** Matches the entries of this actor under any form it was stored with (storedActorForms). */
  actor?: string | undefined;
  action?: string | undefined;
  subjectKey?: string | undefined;
  tenantId?: string | undefined;
}

/** Who reads: one tenant (row-level security) or the platform (every entry). */
export type ReadScope = { tenantId: string } | 'platform';

/**
 * The audit ledger's storage port. `appendBatch` is the single write path of the log: it must
 * serialize appenders across processes (one total order, gap-free, idempotent by key). `chain` is
 * the ledger's hashing: a store that hashes elsewhere (in the database) must produce the same values.
 */
export interface AuditStore {
  appendBatch(drafts: readonly AuditDraft[], chain: (prevHash: string, seq: number, draft: AuditDraft) => { prevHash: string; entryHash: string; leafHash: string }): Promise<AppendedEntry[]>;
  /** Wrapped payload keys by id; missing ones are created with `wrapNew` (concurrent creators agree on one). */
  ensurePayloadKeys(keyIds: readonly string[], wrapNew: (keyId: string) => Uint8Array): Promise<Map<string, Uint8Array>>;
  findPayloadKeys(keyIds: readonly string[]): Promise<Map<string, Uint8Array>>;
  /** Crypto-shredding: true when a key was deleted. */
  deletePayloadKey(keyId: string): Promise<boolean>;
  size(): Promise<number>;
  /** Stored leaf hashes (hex) of seq in [fromSeq, fromSeq + limit), in order. */
  leafHashes(fromSeq: number, limit: number): Promise<string[]>;
  /**
   * Entries in seq order with seq > afterSeq; with `newestFirst`, in reverse order with
   * seq < afterSeq (afterSeq < 0: from the newest).
   */
  listEntries(scope: ReadScope, filter: AuditEntryFilter, afterSeq: number, limit: number, newestFirst?: boolean): Promise<StoredAuditEntry[]>;
  getEntry(scope: ReadScope, seq: number): Promise<StoredAuditEntry | null>;
  /** The newest entry of one tenant. */
  latestEntry(scope: { tenantId: string }): Promise<StoredAuditEntry | null>;
  entriesOfSubject(subjectKey: string): Promise<StoredAuditEntry[]>;
  /** Drops payloads (never hashes) of `classification` that occurred before `before`. Returns how many. */
  clearPayloads(classification: string, before: Date): Promise<number>;
  /** False when a checkpoint of that size already existed. */
  saveCheckpoint(checkpoint: Checkpoint): Promise<boolean>;
  latestCheckpoint(): Promise<Checkpoint | null>;
  listCheckpoints(): Promise<Checkpoint[]>;
}
