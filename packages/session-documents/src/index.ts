export { checkUpdate, compactState, documentJson, decodeBase64, encodeBase64, emptyState, mergeUpdates, missingSince, stateVectorOf } from './document';
export type { CheckedUpdate, DocumentJson, UpdateRefusal } from './document';
export { DEFAULT_DOCUMENT_LIMITS, SESSION_ID_PATTERN, stricterClassification } from './store';
export type { AppendInput, AppendResult, DocumentLimits, DocumentRef, DocumentSummary, SessionDocumentStore, StoredDocument } from './store';
export { createInMemorySessionDocumentStore } from './in-memory-store';
