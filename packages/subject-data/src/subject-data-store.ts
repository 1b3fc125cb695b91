/**
 * Data-subject requests (GDPR art. 15 and 17: export, erase) over every store that holds a
 * person's data. Each store that keeps data about a subject implements {@link SubjectDataStore}
 * and is registered once where the stores are composed; a request runs over all of them, so a
 * new store cannot be forgotten by the tool that answers the request (only by not registering,
 * which its contract test makes visible). The audit log answers its own requests
 * (crypto-shredding, subgraphs/audit) because its entries must stay verifiable.
 */

/** Who the request is about, optionally within one tenant (a tenant admin's request). */
export interface SubjectRequest {
  /** The subject's id as stores record it: an OIDC `sub`, or an application's end-user id (OpenAI `user`). */
  subjectId: string;
  /** Only this tenant's data; absent: every tenant's (the platform operator's request). */
  tenantId?: string;
}

/** One item of a subject's data, as exported. */
export interface SubjectDataRecord {
  /** The item's kind within its store, e.g. `session_document`. */
  kind: string;
  /** Null for platform-level data that belongs to no tenant (e.g. an audit entry of a platform action). */
  tenantId: string | null;
  /** The item's id within its tenant and kind. */
  id: string;
  createdAt: string | null;
  updatedAt: string | null;
  /** The data itself, JSON-serialisable. */
  data: unknown;
}

export interface SubjectDataStore {
  /** Stable name in reports: `session-documents`, `session-window`, `vector-memories`, … */
  readonly name: string;
  /** Everything this store holds about the subject. */
  exportSubject(request: SubjectRequest): Promise<SubjectDataRecord[]>;
  /** Deletes it; idempotent (a second run erases nothing and succeeds). Returns how many items went. */
  eraseSubject(request: SubjectRequest): Promise<{ erased: number }>;
}
