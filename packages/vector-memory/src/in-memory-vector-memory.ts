import { HnswIndex } from './hnsw';
import { clampK, type CollectionSummary, DEFAULT_MAX_MEMORIES_PER_TENANT, MEMORY_EF_SEARCH, dimensionMismatch, MAX_LIST_LIMIT, quotaExceeded, validateNewMemory, type MemoryRecord, type VectorMemory } from './vector-memory';

/**
 * The in-process vector memory: everything in this process's memory, searched with the same HNSW
 * index the Postgres implementation uses. For tests and embedders; it forgets on restart.
 */
export function createInMemoryVectorMemory(options: { maxMemoriesPerTenant?: number; now?: () => Date } = {}): VectorMemory {
  const max = options.maxMemoriesPerTenant ?? DEFAULT_MAX_MEMORIES_PER_TENANT;
  const now = options.now ?? (() => new Date());
  const tenants = new Map<string, { records: Map<string, MemoryRecord>; indexes: Map<string, HnswIndex> }>();
  const tenant = (tenantId: string) => {
    let state = tenants.get(tenantId);
    if (!state) {
      state = { records: new Map(), indexes: new Map() };
      tenants.set(tenantId, state);
    }
    return state;
  };
  const removeRecord = (state: ReturnType<typeof tenant>, record: MemoryRecord) => {
    state.records.delete(record.id);
    const index = state.indexes.get(record.collection);
    index?.remove(record.id);
    if (index?.size === 0) state.indexes.delete(record.collection);
  };

  return {
    async add(tenantId, memory) {
      validateNewMemory(memory);
      const state = tenant(tenantId);
      const existing = state.records.get(memory.id);
      if (existing) return { memory: existing, created: false };
      const index = state.indexes.get(memory.collection);
      if (index && index.dimensions !== memory.embedding.length) throw dimensionMismatch(memory.collection, index.dimensions, memory.embedding.length);
      if (state.records.size >= max) throw quotaExceeded(max);
      const record: MemoryRecord = {
        id: memory.id,
        collection: memory.collection,
        text: memory.text,
        embeddingModel: memory.embeddingModel,
        dimensions: memory.embedding.length,
        subject: memory.subject ?? null,
        createdAt: now(),
      };
      const target = index ?? new HnswIndex({ dimensions: record.dimensions });
      target.add(record.id, memory.embedding);
      state.indexes.set(record.collection, target);
      state.records.set(record.id, record);
      return { memory: record, created: true };
    },
    async search(tenantId, collection, query, k) {
      const state = tenants.get(tenantId);
      const index = state?.indexes.get(collection);
      if (!state || !index) return [];
      if (index.dimensions !== query.length) throw dimensionMismatch(collection, index.dimensions, query.length);
      const limit = clampK(k);
      return index.search(query, limit, Math.max(MEMORY_EF_SEARCH, limit)).map((hit) => ({ memory: state.records.get(hit.id)!, score: hit.score }));
    },
    async list(tenantId, { collection, limit, after }) {
      const records = [...(tenants.get(tenantId)?.records.values() ?? [])]
        .filter((record) => (collection === undefined || record.collection === collection) && (after === undefined || record.id > after))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      return records.slice(0, Math.max(1, Math.min(MAX_LIST_LIMIT, limit)));
    },
    async get(tenantId, id) {
      return tenants.get(tenantId)?.records.get(id) ?? null;
    },
    async remove(tenantId, id) {
      const state = tenants.get(tenantId);
      const record = state?.records.get(id);
      if (!state || !record) return false;
      removeRecord(state, record);
      return true;
    },
    async collections(tenantId) {
      const byName = new Map<string, CollectionSummary>();
      for (const record of tenants.get(tenantId)?.records.values() ?? []) {
        const seen = byName.get(record.collection);
        if (!seen) byName.set(record.collection, { name: record.collection, memories: 1, dimensions: record.dimensions, embeddingModel: record.embeddingModel, lastAddedAt: record.createdAt });
        else {
          seen.memories += 1;
          if (record.createdAt > seen.lastAddedAt) seen.lastAddedAt = record.createdAt;
        }
      }
      return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    },
    async removeCollection(tenantId, collection) {
      const state = tenants.get(tenantId);
      if (!state) return 0;
      const inside = [...state.records.values()].filter((record) => record.collection === collection);
      for (const record of inside) removeRecord(state, record);
      return inside.length;
    },
    async eraseSubject(tenantId, subject) {
      const state = tenants.get(tenantId);
      if (!state) return 0;
      const about = [...state.records.values()].filter((record) => record.subject === subject);
      for (const record of about) removeRecord(state, record);
      return about.length;
    },
    async close() {
      tenants.clear();
    },
  };
}
