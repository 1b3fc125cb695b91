import { createHash } from 'node:crypto';
import type { DataClassification } from '@switchyard/db/tenant-settings';
import { compactState, emptyState, mergeUpdates } from './document';
import { stricterClassification, type AppendResult, type DocumentRef, type SessionDocumentStore, type StoredDocument } from './store';

interface Entry {
  state: Uint8Array;
  pending: Map<string, Uint8Array>;
  pendingBytes: number;
  classification: DataClassification;
  subjectIds: Set<string>;
  createdAt: Date;
  updatedAt: Date;
}

/** The store in memory: one process, nothing durable (tests; a data plane without a database). */
export function createInMemorySessionDocumentStore(): SessionDocumentStore {
  const tenants = new Map<string, Map<string, Entry>>();
  const documentsOf = (tenantId: string) => {
    let documents = tenants.get(tenantId);
    if (!documents) tenants.set(tenantId, (documents = new Map()));
    return documents;
  };
  const bytesOf = (entry: Entry) => entry.state.byteLength + entry.pendingBytes;
  const compact = (entry: Entry) => {
    entry.state = compactState([entry.state, ...entry.pending.values()]);
    entry.pending.clear();
    entry.pendingBytes = 0;
  };
  const stored = (tenantId: string, sessionId: string, entry: Entry): StoredDocument => ({
    tenantId,
    sessionId,
    state: mergeUpdates([entry.state, ...entry.pending.values()]),
    bytes: bytesOf(entry),
    classification: entry.classification,
    subjectIds: [...entry.subjectIds].sort(),
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
  });

  return {
    async append(input): Promise<AppendResult> {
      const documents = documentsOf(input.tenantId);
      let entry = documents.get(input.sessionId);
      const created = entry === undefined;
      if (!entry) {
        if (documents.size >= input.limits.maxDocumentsPerTenant) return { status: 'quota_exceeded', documents: documents.size, limit: input.limits.maxDocumentsPerTenant };
        entry = { state: emptyState(), pending: new Map(), pendingBytes: 0, classification: input.classification, subjectIds: new Set(), createdAt: input.now, updatedAt: input.now };
      }
      const digest = createHash('sha256').update(input.update).digest('hex');
      if (entry.pending.has(digest)) return { status: 'duplicate', created: false, bytes: bytesOf(entry) };
      if (bytesOf(entry) + input.update.byteLength > input.limits.maxDocumentBytes && entry.pending.size > 0) compact(entry);
      if (bytesOf(entry) + input.update.byteLength > input.limits.maxDocumentBytes) return { status: 'document_too_large', bytes: bytesOf(entry), limit: input.limits.maxDocumentBytes };
      documents.set(input.sessionId, entry);
      entry.pending.set(digest, input.update);
      entry.pendingBytes += input.update.byteLength;
      entry.updatedAt = input.now;
      entry.classification = stricterClassification(entry.classification, input.classification);
      for (const subjectId of input.subjectIds) entry.subjectIds.add(subjectId);
      if (entry.pending.size >= input.limits.compactEvery) compact(entry);
      return { status: 'applied', created, bytes: bytesOf(entry) };
    },
    async load(tenantId, sessionId) {
      const entry = tenants.get(tenantId)?.get(sessionId);
      return entry ? stored(tenantId, sessionId, entry) : null;
    },
    async list(tenantId, { limit }) {
      return [...(tenants.get(tenantId) ?? new Map<string, Entry>()).entries()]
        .sort(([, a], [, b]) => b.updatedAt.getTime() - a.updatedAt.getTime())
        .slice(0, limit)
        .map(([sessionId, entry]) => ({ sessionId, bytes: bytesOf(entry), classification: entry.classification, createdAt: entry.createdAt, updatedAt: entry.updatedAt }));
    },
    async delete(tenantId, sessionId) {
      return tenants.get(tenantId)?.delete(sessionId) ?? false;
    },
    async documentsOfSubject(subjectId, tenantId) {
      const refs: DocumentRef[] = [];
      for (const [tenant, documents] of tenants) {
        if (tenantId !== undefined && tenant !== tenantId) continue;
        for (const [sessionId, entry] of documents) if (entry.subjectIds.has(subjectId)) refs.push({ tenantId: tenant, sessionId });
      }
      return refs;
    },
    async expire(now, retentionDays) {
      let deleted = 0;
      for (const documents of tenants.values()) {
        for (const [sessionId, entry] of documents) {
          if (entry.updatedAt.getTime() < now.getTime() - retentionDays[entry.classification] * 86_400_000) {
            documents.delete(sessionId);
            deleted += 1;
          }
        }
      }
      return deleted;
    },
  };
}
