import type { Database } from '@switchyard/db';
import { clampK, DEFAULT_MAX_MEMORIES_PER_TENANT, dimensionMismatch, isMemoryId, validateNewMemory, type VectorMemory } from '../vector-memory';
import { collectionDimensions, deleteCollection, deleteMemory, listCollections, deleteSubject, getMemory, insertMemory, listMemories, recordOf, ROW_COLUMNS, type MemoryRow } from './memory-rows';

/**
 * The embedded default's vector memory: rows in PGlite, searched by pgvector's cosine distance
 * (`<=>`) over the collection's rows. The search is exact (a scan of one tenant's collection
 * through the (tenant, collection) index): an embedded deployment holds thousands of memories, not
 * millions, and an exact answer needs no recall tuning. Postgres deployments use the HNSW variant.
 */
export function createPgvectorVectorMemory(db: Database, options: { maxMemoriesPerTenant?: number } = {}): VectorMemory {
  if (db.kind !== 'pglite') throw new Error('pgvector vector memory needs the embedded PGlite database (the Postgres servers here have no pgvector)');
  const max = options.maxMemoriesPerTenant ?? DEFAULT_MAX_MEMORIES_PER_TENANT;
  return {
    async add(tenantId, memory) {
      validateNewMemory(memory);
      return db.withTenant(tenantId, (tx) => insertMemory(tx, tenantId, memory, max));
    },
    async search(tenantId, collection, query, k) {
      const limit = clampK(k);
      if (limit === 0) return [];
      return db.withTenant(tenantId, async (tx) => {
        const dimensions = await collectionDimensions(tx, tenantId, collection);
        if (dimensions === null) return [];
        if (dimensions !== query.length) throw dimensionMismatch(collection, dimensions, query.length);
        if (!query.every((value) => Number.isFinite(value))) return [];
        const rows = await tx.$queryRawUnsafe<(MemoryRow & { distance: number })[]>(
          `SELECT ${ROW_COLUMNS}, embedding::vector <=> $3::vector AS distance FROM vector_memories
           WHERE tenant_id = $1::uuid AND collection = $2
           ORDER BY distance LIMIT $4`,
          tenantId,
          collection,
          `[${query.join(',')}]`,
          limit,
        );
        // pgvector's cosine distance of a zero vector is NaN: it matches nothing.
        return rows.map((row) => ({ memory: recordOf(row), score: Number.isNaN(Number(row.distance)) ? 0 : 1 - Number(row.distance) }));
      });
    },
    list: (tenantId, listOptions) => db.withTenant(tenantId, (tx) => listMemories(tx, tenantId, { ...listOptions, ...(listOptions.after !== undefined && !isMemoryId(listOptions.after) ? { after: undefined } : {}) })),
    async get(tenantId, id) {
      return isMemoryId(id) ? db.withTenant(tenantId, (tx) => getMemory(tx, tenantId, id)) : null;
    },
    async remove(tenantId, id) {
      return isMemoryId(id) ? (await db.withTenant(tenantId, (tx) => deleteMemory(tx, tenantId, id))) !== null : false;
    },
    collections: (tenantId) => db.withTenant(tenantId, (tx) => listCollections(tx, tenantId)),
    removeCollection: (tenantId, collection) => db.withTenant(tenantId, (tx) => deleteCollection(tx, tenantId, collection)),
    async eraseSubject(tenantId, subject) {
      return (await db.withTenant(tenantId, (tx) => deleteSubject(tx, tenantId, subject))).length;
    },
    async close() {},
  };
}
