// Public API of @switchyard/vector-memory. Named exports only.
export {
  VectorMemoryError,
  MAX_DIMENSIONS,
  MAX_TEXT_CHARS,
  MAX_K,
  MEMORY_EF_SEARCH,
  MAX_LIST_LIMIT,
  DEFAULT_MAX_MEMORIES_PER_TENANT,
  COLLECTION_PATTERN,
  isMemoryId,
} from './vector-memory';
export type { VectorMemory, CollectionSummary, MemoryRecord, NewMemory, MemoryHit, ListMemoriesOptions, VectorMemoryErrorCode } from './vector-memory';
export { createInMemoryVectorMemory } from './in-memory-vector-memory';
export { cosineSimilarity, normalize } from './cosine';
