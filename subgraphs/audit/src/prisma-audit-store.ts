import type { Database, TenantTx } from '@switchyard/db';
import { GENESIS_HASH, type Checkpoint } from '@switchyard/data-plane/ledger';
import type { AppendedEntry, AuditEntryFilter, AuditStore, ReadScope, StoredAuditEntry } from './audit-store';

/**
 * The audit store on Postgres or PGlite through @switchyard/db. Appends run in the platform
 * scope under a transaction-level advisory lock: every appender, in any process, reads the head
 * and inserts while holding it, so positions are gap-free and totally ordered.
 */
const APPEND_LOCK_KEY = 7_236_518_401n;

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
    leafHash: row.leafHash,
    prevHash: row.prevHash,
    entryHash: row.entryHash,
    idempotencyKey: row.idempotencyKey,
  };
}

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return { logId: row.logId, treeSize: Number(row.treeSize), rootHash: row.rootHash, issuedAt: row.issuedAt.toISOString(), signature: row.signature };
}

function whereOf(filter: AuditEntryFilter) {
  return {
    ...(filter.actor !== undefined ? { actor: filter.actor } : {}),
    ...(filter.action !== undefined ? { action: filter.action } : {}),
    ...(filter.subjectKey !== undefined ? { subjectKey: filter.subjectKey } : {}),
    ...(filter.tenantId !== undefined ? { tenantId: filter.tenantId } : {}),
  };
}

export function createPrismaAuditStore(db: Database): AuditStore {
  const read = <T>(scope: ReadScope, fn: (tx: TenantTx) => Promise<T>): Promise<T> =>
    scope === 'platform' ? db.withPlatform(fn) : db.withTenant(scope.tenantId, fn);

  return {
    appendBatch(drafts, chain) {
      return db.withPlatform(async (tx) => {
        await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${APPEND_LOCK_KEY})`);
        const keys = drafts.map((draft) => draft.idempotencyKey);
        const existing = new Map<string, StoredAuditEntry>();
        for (const row of await tx.auditEntry.findMany({ where: { idempotencyKey: { in: keys } } })) existing.set(row.idempotencyKey, toEntry(row));
        const head = await tx.auditEntry.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, entryHash: true } });
        let nextSeq = head ? Number(head.seq) + 1 : 0;
        let prevHash = head?.entryHash ?? GENESIS_HASH;
        const results: AppendedEntry[] = [];
        const inserts: StoredAuditEntry[] = [];
        for (const draft of drafts) {
          const found = existing.get(draft.idempotencyKey);
          if (found) {
            results.push({ entry: found, created: false });
            continue;
          }
          const hashes = chain(prevHash, nextSeq, draft);
          const entry: StoredAuditEntry = { ...draft, seq: nextSeq, ...hashes };
          existing.set(draft.idempotencyKey, entry);
          inserts.push(entry);
          results.push({ entry, created: true });
          prevHash = hashes.entryHash;
          nextSeq += 1;
        }
        if (inserts.length > 0) {
          await tx.auditEntry.createMany({
            data: inserts.map((entry) => ({
              seq: BigInt(entry.seq),
              occurredAt: new Date(entry.occurredAt),
              tenantId: entry.tenantId,
              actor: entry.actor,
              action: entry.action,
              subjectKey: entry.subjectKey,
              dataClassification: entry.dataClassification,
              payloadDigest: entry.payloadDigest,
              payloadCiphertext: entry.payloadCiphertext === null ? null : new Uint8Array(entry.payloadCiphertext),
              payloadKeyId: entry.payloadKeyId,
              leafHash: entry.leafHash,
              prevHash: entry.prevHash,
              entryHash: entry.entryHash,
              idempotencyKey: entry.idempotencyKey,
            })),
          });
        }
        return results;
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
      return db.withPlatform(async (tx) => {
        const rows = await tx.auditSubjectKey.findMany({ where: { keyId: { in: [...new Set(keyIds)] } } });
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

    listEntries(scope, filter, afterSeq, limit) {
      return read(scope, async (tx) => {
        const rows = await tx.auditEntry.findMany({ where: { ...whereOf(filter), seq: { gt: BigInt(afterSeq) } }, orderBy: { seq: 'asc' }, take: limit });
        return rows.map(toEntry);
      });
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
