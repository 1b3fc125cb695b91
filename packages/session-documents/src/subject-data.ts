import type { SubjectDataStore } from '@switchyard/subject-data';
import { documentJson, encodeBase64 } from './document';
import type { SessionDocumentStore } from './store';

/**
 * Session documents in data-subject requests. A document belongs to every subject who wrote to
 * it, and a CRDT cannot cut one writer's part out of a shared text, so export returns whole
 * documents and erasure deletes whole documents (a shared note one erased person wrote to goes
 * for everyone: we err on the side of the person who asked).
 */
export function sessionDocumentsSubjectStore(store: SessionDocumentStore): SubjectDataStore {
  return {
    name: 'session-documents',
    async exportSubject(request) {
      const refs = await store.documentsOfSubject(request.subjectId, request.tenantId);
      const documents = await Promise.all(refs.map((ref) => store.load(ref.tenantId, ref.sessionId)));
      return documents.flatMap((document) =>
        document
          ? [
              {
                kind: 'session_document',
                tenantId: document.tenantId,
                id: document.sessionId,
                createdAt: document.createdAt.toISOString(),
                updatedAt: document.updatedAt.toISOString(),
                data: { content: documentJson(document.state), state: encodeBase64(document.state), dataClassification: document.classification },
              },
            ]
          : [],
      );
    },
    async eraseSubject(request) {
      const refs = await store.documentsOfSubject(request.subjectId, request.tenantId);
      let erased = 0;
      for (const ref of refs) if (await store.delete(ref.tenantId, ref.sessionId)) erased += 1;
      return { erased };
    },
  };
}
