/**
 * The durable store of session documents (port). A document is its compacted state plus the
 * updates appended since; reading merges them. Appends are idempotent by the update's digest
 * (since the last compaction; Yjs makes a later replay harmless anyway) and bounded: documents
 * per tenant, bytes per document. Implementations: in-memory (tests, and anything without a
 * database) and Postgres/PGlite (`./prisma`); both pass `./contract`.
 */
import type { DataClassification } from '@switchyard/db/tenant-settings';

export interface DocumentLimits {
  /** Most bytes a document's stored state may take (its compacted state plus pending updates). */
  maxDocumentBytes: number;
  /** Most documents one tenant may hold. */
  maxDocumentsPerTenant: number;
  /** Compact (merge the pending updates into the state) once this many updates are pending. */
  compactEvery: number;
}

export const DEFAULT_DOCUMENT_LIMITS: Readonly<DocumentLimits> = Object.freeze({
  maxDocumentBytes: 1024 * 1024,
  maxDocumentsPerTenant: 1000,
  compactEvery: 64,
});

export interface AppendInput {
  tenantId: string;
  sessionId: string;
  /** A checked update (document.ts `checkUpdate`). */
  update: Uint8Array;
  /** Data subjects the write is about (the caller, the application's end user); recorded for DSR. */
  subjectIds: readonly string[];
  /** Classification of a document this append creates; an existing document keeps the stricter of both. */
  classification: DataClassification;
  limits: DocumentLimits;
  now: Date;
}

export type AppendResult =
  | { status: 'applied' | 'duplicate'; created: boolean; bytes: number }
  | { status: 'quota_exceeded'; documents: number; limit: number }
  | { status: 'document_too_large'; bytes: number; limit: number };

export interface StoredDocument {
  tenantId: string;
  sessionId: string;
  /** Every update merged (a Yjs update of the whole document). */
  state: Uint8Array;
  /** Bytes the document takes in the store (compacted state plus pending updates). */
  bytes: number;
  classification: DataClassification;
  subjectIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export type DocumentSummary = Omit<StoredDocument, 'state' | 'subjectIds' | 'tenantId'>;

export interface DocumentRef {
  tenantId: string;
  sessionId: string;
}

export interface SessionDocumentStore {
  append(input: AppendInput): Promise<AppendResult>;
  load(tenantId: string, sessionId: string): Promise<StoredDocument | null>;
  /** The tenant's documents, most recently written first. */
  list(tenantId: string, options: { limit: number }): Promise<DocumentSummary[]>;
  delete(tenantId: string, sessionId: string): Promise<boolean>;
  /** Documents a subject wrote to, in one tenant or every tenant (platform scope). */
  documentsOfSubject(subjectId: string, tenantId?: string): Promise<DocumentRef[]>;
  /** Deletes documents not written for longer than their retention; returns how many. */
  expire(now: Date, retentionDays: Readonly<Record<DataClassification, number>>): Promise<number>;
}

const CLASSIFICATION_ORDER: readonly DataClassification[] = ['public', 'internal', 'confidential', 'restricted'];

export function stricterClassification(a: DataClassification, b: DataClassification): DataClassification {
  return CLASSIFICATION_ORDER.indexOf(a) >= CLASSIFICATION_ORDER.indexOf(b) ? a : b;
}

/** Session ids clients may use (the same CHECK is in the migration). */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
