/**
 * Data-subject requests over everything the platform keeps about a person: the audit log (here)
 * and every registered memory-fabric store. `npm run -s audit -- export|erase --subject <id>`
 * runs them.
 *
 * Extension point: a store that keeps data about people implements `SubjectDataStore`
 * (@switchyard/subject-data, with its contract suite `@switchyard/subject-data/contract`) and is
 * added to {@link subjectDataStores}. The memory fabric's stores: session documents (by the subjects
 * who wrote to them), the session window (the session keyed by the subject and responses whose
 * `metadata.subject` names it: see @switchyard/memory's sessionWindowSubjectStore for what a
 * conversation must carry to be found) and vector memories (by their `subject`).
 */
import type { Database } from '@switchyard/db';
import { createPrismaSessionDocumentStore } from '@switchyard/session-documents/prisma';
import { sessionDocumentsSubjectStore } from '@switchyard/session-documents';
import { createSubjectDataRegistry, type SubjectDataRegistry, type SubjectDataStore } from '@switchyard/subject-data';
import { sessionWindowSubjectStore } from '@switchyard/memory/session/database';
import type { SessionWindow } from '@switchyard/memory/session';
import { vectorMemorySubjectStore, type VectorMemoryChangeAnnouncer } from '@switchyard/vector-memory/database';
import type { AuditLedger } from './audit-ledger';

/**
 * The audit log as a subject data store. Export: the subject's entries with their decrypted
 * payloads. Erasure crypto-shreds the subject's payload key (entries, hashes and proofs stay, so
 * the log keeps verifying); the key is one per subject across tenants, so the audit log erases in
 * every tenant at once and refuses a request limited to one tenant.
 */
export function auditLogSubjectStore(ledger: Pick<AuditLedger, 'exportSubject' | 'eraseSubject'>): SubjectDataStore {
  return {
    name: 'audit-log',
    async exportSubject(request) {
      const entries = await ledger.exportSubject(request.subjectId);
      return entries
        .filter((entry) => request.tenantId === undefined || entry.tenantId === request.tenantId)
        .map(({ payloadCiphertext: _ciphertext, ...entry }) => ({ kind: 'audit_entry', tenantId: entry.tenantId, id: String(entry.seq), createdAt: entry.occurredAt, updatedAt: null, data: entry }));
    },
    async eraseSubject(request) {
      if (request.tenantId !== undefined) throw new Error('the audit log erases a subject in every tenant at once (one key per subject); run the erasure without a tenant');
      const erased = await ledger.eraseSubject(request.subjectId);
      return { erased: erased.keyDeleted ? erased.entries : 0 };
    },
  };
}

/** What the data planes share besides the database, so an erasure reaches their copies too. */
export interface SubjectRequestLiveState {
  /** The session window's fast store the data planes use (Redis); without it its copies live until their TTL. */
  sessionWindow?: Pick<SessionWindow, 'deleteResponse' | 'deleteSession'>;
  /** Tells the data planes to drop a tenant's in-process vector indexes (the bus); without it they serve stale copies until the collection changes. */
  announceVectorMemoryChanges?: VectorMemoryChangeAnnouncer;
}

/** Every store a data-subject request covers, on one database. */
export function subjectDataStores(db: Database, ledger: Pick<AuditLedger, 'exportSubject' | 'eraseSubject'>, live: SubjectRequestLiveState = {}): SubjectDataRegistry {
  return createSubjectDataRegistry([
    auditLogSubjectStore(ledger),
    sessionDocumentsSubjectStore(createPrismaSessionDocumentStore(db)),
    sessionWindowSubjectStore(db, live.sessionWindow ? { fast: live.sessionWindow } : {}),
    vectorMemorySubjectStore(db, live.announceVectorMemoryChanges ? { announce: live.announceVectorMemoryChanges } : {}),
  ]);
}
