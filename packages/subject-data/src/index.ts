export type { SubjectDataRecord, SubjectDataStore, SubjectRequest } from './subject-data-store';
export { createSubjectDataRegistry } from './registry';
export type { SubjectDataRegistry, SubjectErasure, SubjectExport } from './registry';
