/**
 * Session documents in Postgres or PGlite (`@switchyard/db`): `session_documents` holds the
 * compacted state, `session_document_updates` the updates appended since, `session_document_subjects`
 * who wrote. Tenant work runs under row-level security as that tenant; only the data-subject lookup
 * and the retention sweep use the platform scope. Appends to one document serialise on its row
 * lock (the size accounting stays exact); creating a document serialises on a per-tenant advisory
 * lock (the document quota stays exact under concurrent creation).
 */
import { createHash } from 'node:crypto';
import type { Database, TenantTx } from '@switchyard/db';
import { isDataClassification, type DataClassification } from '@switchyard/db/tenant-settings';
import { compactState, emptyState, mergeUpdates } from './document';
import { stricterClassification, type AppendResult, type SessionDocumentStore } from './store';

interface DocumentRow {
  state_bytes: number;
  pending_bytes: number;
  pending_updates: number;
  data_classification: string;
}

class Refused extends Error {
  constructor(readonly result: AppendResult) {
    super('append refused');
  }
}

const classificationOf = (value: string): DataClassification => (isDataClassification(value) ? value : 'restricted');

async function lockDocument(tx: TenantTx, tenantId: string, sessionId: string): Promise<DocumentRow | undefined> {
  const rows = await tx.$queryRaw<DocumentRow[]>`
    SELECT state_bytes, pending_bytes, pending_updates, data_classification FROM session_documents
    WHERE tenant_id = ${tenantId}::uuid AND session_id = ${sessionId} FOR UPDATE`;
  return rows[0];
}

async function compact(tx: TenantTx, tenantId: string, sessionId: string): Promise<number> {
  const [document] = await tx.$queryRaw<{ state: Uint8Array }[]>`SELECT state FROM session_documents WHERE tenant_id = ${tenantId}::uuid AND session_id = ${sessionId}`;
  const updates = await tx.$queryRaw<{ update: Uint8Array }[]>`SELECT "update" FROM session_document_updates WHERE tenant_id = ${tenantId}::uuid AND session_id = ${sessionId}`;
  const state = compactState([document?.state ?? emptyState(), ...updates.map((row) => row.update)]);
  await tx.$executeRaw`DELETE FROM session_document_updates WHERE tenant_id = ${tenantId}::uuid AND session_id = ${sessionId}`;
  await tx.$executeRaw`
    UPDATE session_documents SET state = ${Buffer.from(state)}, state_bytes = ${state.byteLength}, pending_bytes = 0, pending_updates = 0
    WHERE tenant_id = ${tenantId}::uuid AND session_id = ${sessionId}`;
  return state.byteLength;
}

export function createPrismaSessionDocumentStore(db: Database): SessionDocumentStore {
  return {
    async append(input) {
      const { tenantId, sessionId, update, limits } = input;
      const digest = createHash('sha256').update(update).digest('hex');
      try {
        return await db.withTenant(tenantId, async (tx): Promise<AppendResult> => {
          let document = await lockDocument(tx, tenantId, sessionId);
          let created = false;
          if (!document) {
            await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`session_documents:${tenantId}`}, 0))`;
            const [{ n = 0 } = {}] = await tx.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM session_documents WHERE tenant_id = ${tenantId}::uuid`;
            const empty = emptyState();
            const inserted = await tx.$executeRaw`
              INSERT INTO session_documents (tenant_id, session_id, state, state_bytes, data_classification, created_at, updated_at)
              SELECT ${tenantId}::uuid, ${sessionId}::text, ${Buffer.from(empty)}::bytea, ${empty.byteLength}::int, ${input.classification}::text, ${input.now}::timestamptz, ${input.now}::timestamptz
              WHERE ${n}::int < ${limits.maxDocumentsPerTenant}::int
              ON CONFLICT DO NOTHING`;
            document = await lockDocument(tx, tenantId, sessionId);
            if (!document) return { status: 'quota_exceeded', documents: n, limit: limits.maxDocumentsPerTenant };
            created = inserted === 1;
          }
          let bytes = document.state_bytes + document.pending_bytes;
          const seen = await tx.$queryRaw<unknown[]>`
            SELECT 1 FROM session_document_updates WHERE tenant_id = ${tenantId}::uuid AND session_id = ${sessionId} AND digest = ${digest}`;
          if (seen.length > 0) return { status: 'duplicate', created: false, bytes };
          if (bytes + update.byteLength > limits.maxDocumentBytes && document.pending_updates > 0) {
            bytes = await compact(tx, tenantId, sessionId);
            document = { ...document, state_bytes: bytes, pending_bytes: 0, pending_updates: 0 };
          }
          // A document this append created goes with the refusal (the transaction rolls back).
          if (bytes + update.byteLength > limits.maxDocumentBytes) throw new Refused({ status: 'document_too_large', bytes, limit: limits.maxDocumentBytes });
          await tx.$executeRaw`
            INSERT INTO session_document_updates (tenant_id, session_id, digest, "update", created_at)
            VALUES (${tenantId}::uuid, ${sessionId}, ${digest}, ${Buffer.from(update)}, ${input.now})`;
          const classification = stricterClassification(classificationOf(document.data_classification), input.classification);
          await tx.$executeRaw`
            UPDATE session_documents
            SET pending_bytes = pending_bytes + ${update.byteLength}, pending_updates = pending_updates + 1,
                updated_at = GREATEST(updated_at, ${input.now}::timestamptz), data_classification = ${classification}
            WHERE tenant_id = ${tenantId}::uuid AND session_id = ${sessionId}`;
          for (const subjectId of new Set(input.subjectIds)) {
            await tx.$executeRaw`
              INSERT INTO session_document_subjects (tenant_id, session_id, subject_id) VALUES (${tenantId}::uuid, ${sessionId}, ${subjectId})
              ON CONFLICT DO NOTHING`;
          }
          bytes += update.byteLength;
          if (document.pending_updates + 1 >= limits.compactEvery) bytes = await compact(tx, tenantId, sessionId);
          return { status: 'applied', created, bytes };
        });
      } catch (error) {
        if (error instanceof Refused) return error.result;
        throw error;
      }
    },

    async load(tenantId, sessionId) {
      return db.withTenant(tenantId, async (tx) => {
        const [document] = await tx.$queryRaw<{ state: Uint8Array; state_bytes: number; pending_bytes: number; data_classification: string; created_at: Date; updated_at: Date }[]>`
          SELECT state, state_bytes, pending_bytes, data_classification, created_at, updated_at FROM session_documents
          WHERE tenant_id = ${tenantId}::uuid AND session_id = ${sessionId}`;
        if (!document) return null;
        const updates = await tx.$queryRaw<{ update: Uint8Array }[]>`SELECT "update" FROM session_document_updates WHERE tenant_id = ${tenantId}::uuid AND session_id = ${sessionId}`;
        const subjects = await tx.$queryRaw<{ subject_id: string }[]>`
          SELECT subject_id FROM session_document_subjects WHERE tenant_id = ${tenantId}::uuid AND session_id = ${sessionId} ORDER BY subject_id`;
        return {
          tenantId,
          sessionId,
          state: mergeUpdates([new Uint8Array(document.state), ...updates.map((row) => new Uint8Array(row.update))]),
          bytes: document.state_bytes + document.pending_bytes,
          classification: classificationOf(document.data_classification),
          subjectIds: subjects.map((row) => row.subject_id),
          createdAt: document.created_at,
          updatedAt: document.updated_at,
        };
      });
    },

    async list(tenantId, { limit }) {
      const rows = await db.withTenant(tenantId, (tx) => tx.$queryRaw<{ session_id: string; bytes: number; data_classification: string; created_at: Date; updated_at: Date }[]>`
        SELECT session_id, state_bytes + pending_bytes AS bytes, data_classification, created_at, updated_at FROM session_documents
        WHERE tenant_id = ${tenantId}::uuid ORDER BY updated_at DESC, session_id LIMIT ${limit}`);
      return rows.map((row) => ({ sessionId: row.session_id, bytes: Number(row.bytes), classification: classificationOf(row.data_classification), createdAt: row.created_at, updatedAt: row.updated_at }));
    },

    async delete(tenantId, sessionId) {
      const deleted = await db.withTenant(tenantId, (tx) => tx.$executeRaw`DELETE FROM session_documents WHERE tenant_id = ${tenantId}::uuid AND session_id = ${sessionId}`);
      return deleted > 0;
    },

    async documentsOfSubject(subjectId, tenantId) {
      const rows =
        tenantId === undefined
          ? await db.withPlatform((tx) => tx.$queryRaw<{ tenant_id: string; session_id: string }[]>`
              SELECT tenant_id::text AS tenant_id, session_id FROM session_document_subjects WHERE subject_id = ${subjectId} ORDER BY tenant_id, session_id`)
          : await db.withTenant(tenantId, (tx) => tx.$queryRaw<{ tenant_id: string; session_id: string }[]>`
              SELECT tenant_id::text AS tenant_id, session_id FROM session_document_subjects
              WHERE subject_id = ${subjectId} AND tenant_id = ${tenantId}::uuid ORDER BY session_id`);
      return rows.map((row) => ({ tenantId: row.tenant_id, sessionId: row.session_id }));
    },

    async expire(now, retentionDays) {
      const [row] = await db.withPlatform((tx) => tx.$queryRaw<{ deleted: bigint | number }[]>`
        SELECT switchyard_session_documents_expire(${now}::timestamptz, ${JSON.stringify(retentionDays)}::jsonb) AS deleted`);
      return Number(row?.deleted ?? 0);
    },
  };
}
