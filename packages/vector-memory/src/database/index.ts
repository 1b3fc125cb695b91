// @switchyard/vector-memory/database: the implementations that keep memories in @switchyard/db.
export { createPgvectorVectorMemory } from './pgvector-vector-memory';
export { createHnswVectorMemory } from './hnsw-vector-memory';
export type { HnswVectorMemoryOptions } from './hnsw-vector-memory';
export { announceVectorMemoryChanges, expireVectorMemories, vectorMemorySubjectStore } from './subject-data';
export type { VectorMemoryChangeAnnouncer } from './subject-data';
