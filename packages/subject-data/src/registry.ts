import type { SubjectDataRecord, SubjectDataStore, SubjectRequest } from './subject-data-store';

export interface SubjectExport {
  subjectId: string;
  tenantId: string | null;
  stores: { store: string; records: SubjectDataRecord[] }[];
}

export interface SubjectErasure {
  subjectId: string;
  tenantId: string | null;
  /** True when every store erased; otherwise run the request again (erasure is idempotent). */
  complete: boolean;
  stores: ({ store: string; erased: number } | { store: string; error: string })[];
}

export interface SubjectDataRegistry {
  register(store: SubjectDataStore): void;
  /** The registered stores' names, in registration order. */
  names(): string[];
  /** Fails as a whole when a store fails: a partial export would look complete to the person. */
  exportSubject(request: SubjectRequest): Promise<SubjectExport>;
  /** Runs every store even when one fails, and says which failed (`complete: false`). */
  eraseSubject(request: SubjectRequest): Promise<SubjectErasure>;
}

/** An id no store could mean: requests are refused before they touch any store. */
const SUBJECT_ID_MAX = 200;

function checked(request: SubjectRequest): SubjectRequest {
  const subjectId = request.subjectId.trim();
  if (subjectId === '' || subjectId.length > SUBJECT_ID_MAX) throw new RangeError(`a subject id has 1 to ${SUBJECT_ID_MAX} characters`);
  return request.tenantId === undefined ? { subjectId } : { subjectId, tenantId: request.tenantId };
}

export function createSubjectDataRegistry(initial: readonly SubjectDataStore[] = []): SubjectDataRegistry {
  const stores: SubjectDataStore[] = [];
  const registry: SubjectDataRegistry = {
    register(store) {
      if (stores.some((known) => known.name === store.name)) throw new Error(`a subject data store named ${store.name} is already registered`);
      stores.push(store);
    },
    names: () => stores.map((store) => store.name),
    async exportSubject(request) {
      const valid = checked(request);
      const parts = await Promise.all(stores.map(async (store) => ({ store: store.name, records: await store.exportSubject(valid) })));
      return { subjectId: valid.subjectId, tenantId: valid.tenantId ?? null, stores: parts };
    },
    async eraseSubject(request) {
      const valid = checked(request);
      const parts = await Promise.all(
        stores.map(async (store) => {
          try {
            return { store: store.name, erased: (await store.eraseSubject(valid)).erased };
          } catch (error) {
            return { store: store.name, error: error instanceof Error ? error.message : String(error) };
          }
        }),
      );
      return { subjectId: valid.subjectId, tenantId: valid.tenantId ?? null, complete: parts.every((part) => 'erased' in part), stores: parts };
    },
  };
  for (const store of initial) registry.register(store);
  return registry;
}
