import { Prisma, type Database, type SqlReader, type TenantTx } from '@switchyard/db';
import { auditLeafTextAroundSeq, type AuditLeafVersion, type Checkpoint } from '@switchyard/ledger';
import { storedActorForms } from '@switchyard/subgraph-kit/audit-actor';
import type { AuditDraft, AuditEntryFilter, AuditStore, ReadScope, StoredAuditEntry } from './audit-store';

/**
 * The audit store on Postgres or PGlite through @switchyard/db. Appends run in the platform
 * scope through `switchyard_audit_append` (migration audit_append_function): one statement that
 * takes the transaction-level advisory lock every appender takes, in any process, reads the head,
 * chains and inserts the batch, so positions are gap-free and totally ordered and the lock is
 * never held across a client round trip.
 */

interface AuditEntryRow {
  seq: bigint;
  occurredAt: Date;
  tenantId: string | null;
  actor: string;
  action: string;
  subjectKey: string | null;
  dataClassification: string;
  payloadDigest: string;
  payloadCiphertext: Uint8Array | null;
  payloadKeyId: string;
  leafVersion: number;
  entryMac: string | null;
  leafHash: string;
  prevHash: string;
  entryHash: string;
  idempotencyKey: string;
}

interface CheckpointRow {
  treeSize: bigint;
  logId: string;
  rootHash: string;
  issuedAt: Date;
  signature: string;
}

function toEntry(row: AuditEntryRow): StoredAuditEntry {
  return {
    seq: Number(row.seq),
    occurredAt: row.occurredAt.toISOString(),
    tenantId: row.tenantId,
    actor: row.actor,
    action: row.action,
    subjectKey: row.subjectKey,
    dataClassification: row.dataClassification,
    payloadDigest: row.payloadDigest,
    payloadCiphertext: row.payloadCiphertext === null ? null : new Uint8Array(row.payloadCiphertext),
    payloadKeyId: row.payloadKeyId,
    // Any other number is kept as stored: the verifier reports it, so it must not be coerced here.
    leafVersion: row.leafVersion as AuditLeafVersion,
    entryMac: row.entryMac,
    leafHash: row.leafHash,
    prevHash: row.prevHash,
    entryHash: row.entryHash,
    idempotencyKey: row.idempotencyKey,
  };
}

interface AppendedRow extends AuditEntryRow {
  created: boolean;
}

const APPEND_SELECT = Prisma.sql`SELECT o_created AS "created", o_seq AS "seq", o_occurred_at AS "occurredAt", o_tenant_id::text AS "tenantId", o_actor AS "actor",
  o_action AS "action", o_subject_key AS "subjectKey", o_data_classification AS "dataClassification", o_payload_digest AS "payloadDigest",
  o_payload_ciphertext AS "payloadCiphertext", o_payload_key_id AS "payloadKeyId", o_leaf_version AS "leafVersion", o_entry_mac AS "entryMac", o_leaf_hash AS "leafHash", o_prev_hash AS "prevHash",
  o_entry_hash AS "entryHash", o_idempotency_key AS "idempotencyKey"`;

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const utf8Base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** One element of the function's jsonb batch (bytes as base64, so nothing is re-encoded on the way). */
function appendItemOf(draft: AuditDraft) {
  const { head, tail } = auditLeafTextAroundSeq(draft);
  return {
    leafVersion: draft.leafVersion,
    entryMac: draft.entryMac,
    idempotencyKey: draft.idempotencyKey,
    occurredAt: draft.occurredAt,
    tenantId: draft.tenantId,
    actor: draft.actor,
    action: draft.action,
    subjectKey: draft.subjectKey,
    dataClassification: draft.dataClassification,
    payloadDigest: draft.payloadDigest,
    payloadCiphertext: base64(draft.payloadCiphertext),
    payloadKeyId: draft.payloadKeyId,
    leafHead: utf8Base64(head),
    leafTail: utf8Base64(tail),
  };
}

/** The database hashed the entry; the ledger's own hashing must agree, or the log would not verify. */
function assertSameChain(entry: StoredAuditEntry, expected: { prevHash: string; entryHash: string; leafHash: string }): void {
  if (entry.leafHash !== expected.leafHash || entry.entryHash !== expected.entryHash || entry.prevHash !== expected.prevHash) {
    throw new Error(`audit entry ${entry.seq} was chained by the database with hashes the ledger does not reproduce`);
  }
}

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return { logId: row.logId, treeSize: Number(row.treeSize), rootHash: row.rootHash, issuedAt: row.issuedAt.toISOString(), signature: row.signature };
}

// An audit_entries row under AuditEntryRow's names (the columns Prisma's model maps).
const ENTRY_COLUMNS = `seq, occurred_at AS "occurredAt", tenant_id::text AS "tenantId", actor, action, subject_key AS "subjectKey",
  data_classification AS "dataClassification", payload_digest AS "payloadDigest", payload_ciphertext AS "payloadCiphertext",
  payload_key_id AS "payloadKeyId", leaf_version AS "leafVersion", entry_mac AS "entryMac", leaf_hash AS "leafHash",
  prev_hash AS "prevHash", entry_hash AS "entryHash", idempotency_key AS "idempotencyKey"`;

/** The page statement of listEntries: the filter's conditions and the position, as positional parameters. */
function listEntriesStatement(filter: AuditEntryFilter, afterSeq: number, limit: number, newestFirst: boolean): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const conditions: string[] = [];
  const parameter = (value: unknown, cast = ''): string => {
    values.push(value);
    return `$${values.length}${cast}`;
  };
  if (filter.actor !== undefined) conditions.push(`actor = ANY(${parameter(storedActorForms(filter.actor), '::text[]')})`);
  if (filter.action !== undefined) conditions.push(`action = ${parameter(filter.action)}`);
  if (filter.subjectKey !== undefined) conditions.push(`subject_key = ${parameter(filter.subjectKey)}`);
  if (filter.tenantId !== undefined) conditions.push(`tenant_id = ${parameter(filter.tenantId, '::uuid')}`);
  if (newestFirst) {
    if (afterSeq >= 0) conditions.push(`seq < ${parameter(BigInt(afterSeq).toString(), '::int8')}`);
  } else {
    conditions.push(`seq > ${parameter(BigInt(afterSeq).toString(), '::int8')}`);
  }
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  return {
    text: `SELECT ${ENTRY_COLUMNS} FROM audit_entries${where} ORDER BY seq ${newestFirst ? 'DESC' : 'ASC'} LIMIT ${parameter(limit, '::int')}`,
    values,
  };
}

export function createPrismaAuditStore(db: Database): AuditStore {
  const read = <T>(scope: ReadScope, fn: (tx: TenantTx) => Promise<T>): Promise<T> =>
    // Each read is one statement: in the platform scope it needs no transaction around it.
    scope === 'platform' ? db.withPlatform(fn, { transaction: false }) : db.withTenant(scope.tenantId, fn);
  // The explorer's page read, hand-written: the same scopes and row-level security without Prisma's client runtime.
  const readSql = <T>(scope: ReadScope, fn: (sql: SqlReader) => Promise<T>): Promise<T> =>
    scope === 'platform' ? db.readAsPlatform(fn) : db.readAsTenant(scope.tenantId, fn);

  return {
    async appendBatch(drafts, chain) {
      if (drafts.length === 0) return [];
      const batch = JSON.stringify(drafts.map(appendItemOf));
      const rows = await db.withPlatform((tx) => tx.$queryRaw<AppendedRow[]>`${APPEND_SELECT} FROM switchyard_audit_append(${batch}::jsonb)`);
      if (rows.length !== drafts.length) throw new Error(`audit append returned ${rows.length} rows for ${drafts.length} drafts`);
      return rows.map((row, index) => {
        const draft = drafts[index] as AuditDraft;
        if (!row.created) return { entry: toEntry(row), created: false };
        const entry: StoredAuditEntry = { ...draft, seq: Number(row.seq), leafHash: row.leafHash, prevHash: row.prevHash, entryHash: row.entryHash };
        assertSameChain(entry, chain(row.prevHash, entry.seq, draft));
        return { entry, created: true };
      });
    },

    ensurePayloadKeys(keyIds, wrapNew) {
      return db.withPlatform(async (tx) => {
        const unique = [...new Set(keyIds)];
        const found = await tx.auditSubjectKey.findMany({ where: { keyId: { in: unique } } });
        const known = new Set(found.map((row) => row.keyId));
        const missing = unique.filter((keyId) => !known.has(keyId));
        if (missing.length > 0) {
          // A concurrent creator may win the race: skipDuplicates keeps its key, and we read it back.
          await tx.auditSubjectKey.createMany({ data: missing.map((keyId) => ({ keyId, wrappedKey: new Uint8Array(wrapNew(keyId)) })), skipDuplicates: true });
        }
        const rows = missing.length > 0 ? await tx.auditSubjectKey.findMany({ where: { keyId: { in: unique } } }) : found;
        return new Map(rows.map((row) => [row.keyId, new Uint8Array(row.wrappedKey)]));
      });
    },

    findPayloadKeys(keyIds) {
      // Every explorer page reads its entries' keys: one statement, hand-written, no transaction (no common snapshot needed).
      return db.readAsPlatform(async (sql) => {
        const rows = await sql.rows<{ keyId: string; wrappedKey: Uint8Array }>(
          'SELECT key_id AS "keyId", wrapped_key AS "wrappedKey" FROM audit_subject_keys WHERE key_id = ANY($1::text[])',
          [[...new Set(keyIds)]],
        );
        return new Map(rows.map((row) => [row.keyId, new Uint8Array(row.wrappedKey)]));
      });
    },

    deletePayloadKey(keyId) {
      return db.withPlatform(async (tx) => (await tx.auditSubjectKey.deleteMany({ where: { keyId } })).count > 0);
    },

    size() {
      return db.withPlatform(async (tx) => {
        const head = await tx.auditEntry.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
        return head ? Number(head.seq) + 1 : 0;
      });
    },

    leafHashes(fromSeq, limit) {
      return db.withPlatform(async (tx) => {
        const rows = await tx.auditEntry.findMany({
          where: { seq: { gte: BigInt(fromSeq), lt: BigInt(fromSeq + limit) } },
          orderBy: { seq: 'asc' },
          select: { leafHash: true },
        });
        return rows.map((row) => row.leafHash);
      });
    },

    listEntries(scope, filter, afterSeq, limit, newestFirst = false) {
      const statement = listEntriesStatement(filter, afterSeq, limit, newestFirst);
      return readSql(scope, async (sql) => (await sql.rows<AuditEntryRow>(statement.text, statement.values)).map(toEntry));
    },

    getEntry(scope, seq) {
      return read(scope, async (tx) => {
        const row = await tx.auditEntry.findUnique({ where: { seq: BigInt(seq) } });
        return row ? toEntry(row) : null;
      });
    },

    latestEntry(scope) {
      return read(scope, async (tx) => {
        const row = await tx.auditEntry.findFirst({ where: { tenantId: scope.tenantId }, orderBy: { seq: 'desc' } });
        return row ? toEntry(row) : null;
      });
    },

    entriesOfSubject(subjectKey) {
      return db.withPlatform(async (tx) => (await tx.auditEntry.findMany({ where: { subjectKey }, orderBy: { seq: 'asc' } })).map(toEntry));
    },

    clearPayloads(classification, before) {
      return db.withPlatform(async (tx) => {
        const result = await tx.auditEntry.updateMany({
          where: { dataClassification: classification, occurredAt: { lt: before }, payloadCiphertext: { not: null } },
          data: { payloadCiphertext: null },
        });
        return result.count;
      });
    },

    saveCheckpoint(checkpoint) {
      return db.withPlatform(async (tx) => {
        const result = await tx.auditCheckpoint.createMany({
          data: [{ treeSize: BigInt(checkpoint.treeSize), logId: checkpoint.logId, rootHash: checkpoint.rootHash, issuedAt: new Date(checkpoint.issuedAt), signature: checkpoint.signature }],
          skipDuplicates: true,
        });
        return result.count > 0;
      });
    },

    latestCheckpoint() {
      return db.withPlatform(async (tx) => {
        const row = await tx.auditCheckpoint.findFirst({ orderBy: { treeSize: 'desc' } });
        return row ? toCheckpoint(row) : null;
      });
    },

    listCheckpoints() {
      return db.withPlatform(async (tx) => (await tx.auditCheckpoint.findMany({ orderBy: { treeSize: 'asc' } })).map(toCheckpoint));
    },
  };
}
