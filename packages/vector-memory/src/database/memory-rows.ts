import type { TenantTx } from '@switchyard/db';
import { type CollectionSummary, dimensionMismatch, MAX_LIST_LIMIT, quotaExceeded, type ListMemoriesOptions, type MemoryRecord, type NewMemory } from '../vector-memory';

/**
 * The `vector_memories` rows, shared by the PGlite (pgvector) and the Postgres (HNSW) vector
 * memories: the only code that reads or writes the table. Every statement runs inside
 * `withTenant`, so row-level security confines it to the tenant whatever the SQL says; the
 * explicit `tenant_id` filters are there for the indexes.
 */
export interface MemoryRow {
  id: string;
  collection: string;
  text: string;
  embedding_model: string;
  dimensions: number;
  subject: string | null;
  created_at: Date;
}

export const ROW_COLUMNS = 'id::text AS id, collection, text, embedding_model, dimensions, subject, created_at';

export function recordOf(row: MemoryRow): MemoryRecord {
  return {
    id: row.id,
    collection: row.collection,
    text: row.text,
    embeddingModel: row.embedding_model,
    dimensions: Number(row.dimensions),
    subject: row.subject,
    createdAt: row.created_at instanceof Date ? row.created_at : new Date(row.created_at),
  };
}

/** `{1,2,3}`: a real[] literal (numbers only, validated before). */
export function realArrayLiteral(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

/**
 * Inserts `memory` unless its id exists. One tenant's adds serialise on an advisory lock, so the
 * quota and a collection's dimension hold under concurrent adds from any number of replicas.
 */
export async function insertMemory(tx: TenantTx, tenantId: string, memory: NewMemory, maxPerTenant: number): Promise<{ memory: MemoryRecord; created: boolean }> {
  await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(hashtextextended('vector_memories:' || $1, 0))::text`, tenantId);
  const existing = await tx.$queryRawUnsafe<MemoryRow[]>(`SELECT ${ROW_COLUMNS} FROM vector_memories WHERE tenant_id = $1::uuid AND id = $2::uuid`, tenantId, memory.id);
  if (existing[0]) return { memory: recordOf(existing[0]), created: false };
  const dimensions = await collectionDimensions(tx, tenantId, memory.collection);
  if (dimensions !== null && dimensions !== memory.embedding.length) throw dimensionMismatch(memory.collection, dimensions, memory.embedding.length);
  const [counted] = await tx.$queryRawUnsafe<{ count: bigint | number }[]>(`SELECT count(*) AS count FROM vector_memories WHERE tenant_id = $1::uuid`, tenantId);
  if (Number(counted?.count ?? 0) >= maxPerTenant) throw quotaExceeded(maxPerTenant);
  const inserted = await tx.$queryRawUnsafe<MemoryRow[]>(
    `INSERT INTO vector_memories (id, tenant_id, collection, text, embedding_model, dimensions, embedding, subject)
     VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7::real[], $8) RETURNING ${ROW_COLUMNS}`,
    memory.id,
    tenantId,
    memory.collection,
    memory.text,
    memory.embeddingModel,
    memory.embedding.length,
    realArrayLiteral(memory.embedding),
    memory.subject ?? null,
  );
  return { memory: recordOf(inserted[0]!), created: true };
}

export async function collectionDimensions(tx: TenantTx, tenantId: string, collection: string): Promise<number | null> {
  const rows = await tx.$queryRawUnsafe<{ dimensions: number }[]>(`SELECT dimensions FROM vector_memories WHERE tenant_id = $1::uuid AND collection = $2 LIMIT 1`, tenantId, collection);
  return rows[0] ? Number(rows[0].dimensions) : null;
}

export async function listMemories(tx: TenantTx, tenantId: string, options: ListMemoriesOptions): Promise<MemoryRecord[]> {
  const limit = Math.max(1, Math.min(MAX_LIST_LIMIT, Math.floor(options.limit)));
  const rows = await tx.$queryRawUnsafe<MemoryRow[]>(
    `SELECT ${ROW_COLUMNS} FROM vector_memories
     WHERE tenant_id = $1::uuid AND ($2::text IS NULL OR collection = $2) AND ($3::uuid IS NULL OR id > $3::uuid)
     ORDER BY id LIMIT $4`,
    tenantId,
    options.collection ?? null,
    options.after ?? null,
    limit,
  );
  return rows.map(recordOf);
}

export async function getMemory(tx: TenantTx, tenantId: string, id: string): Promise<MemoryRecord | null> {
  const rows = await tx.$queryRawUnsafe<MemoryRow[]>(`SELECT ${ROW_COLUMNS} FROM vector_memories WHERE tenant_id = $1::uuid AND id = $2::uuid`, tenantId, id);
  return rows[0] ? recordOf(rows[0]) : null;
}

/** Deletes one memory; its collection when it existed. */
export async function deleteMemory(tx: TenantTx, tenantId: string, id: string): Promise<string | null> {
  const rows = await tx.$queryRawUnsafe<{ collection: string }[]>(`DELETE FROM vector_memories WHERE tenant_id = $1::uuid AND id = $2::uuid RETURNING collection`, tenantId, id);
  return rows[0]?.collection ?? null;
}

/** Deletes a subject's memories; their ids and collections. */
export async function deleteSubject(tx: TenantTx, tenantId: string, subject: string): Promise<{ id: string; collection: string }[]> {
  return tx.$queryRawUnsafe<{ id: string; collection: string }[]>(`DELETE FROM vector_memories WHERE tenant_id = $1::uuid AND subject = $2 RETURNING id::text AS id, collection`, tenantId, subject);
}

export async function listCollections(tx: TenantTx, tenantId: string): Promise<CollectionSummary[]> {
  const rows = await tx.$queryRawUnsafe<{ name: string; memories: bigint | number; dimensions: number; embedding_model: string; last_added_at: Date }[]>(
    `SELECT collection AS name, count(*) AS memories, min(dimensions) AS dimensions, min(embedding_model) AS embedding_model, max(created_at) AS last_added_at
     FROM vector_memories WHERE tenant_id = $1::uuid GROUP BY collection ORDER BY collection`,
    tenantId,
  );
  return rows.map((row) => ({ name: row.name, memories: Number(row.memories), dimensions: Number(row.dimensions), embeddingModel: row.embedding_model, lastAddedAt: new Date(row.last_added_at) }));
}

/** Deletes a collection; how many memories it held. */
export async function deleteCollection(tx: TenantTx, tenantId: string, collection: string): Promise<number> {
  const rows = await tx.$queryRawUnsafe<{ id: string }[]>(`DELETE FROM vector_memories WHERE tenant_id = $1::uuid AND collection = $2 RETURNING id::text AS id`, tenantId, collection);
  return rows.length;
}

/** Every memory of a collection with its embedding (an index being built). */
export async function loadCollection(tx: TenantTx, tenantId: string, collection: string): Promise<{ record: MemoryRecord; embedding: number[] }[]> {
  const rows = await tx.$queryRawUnsafe<(MemoryRow & { embedding: number[] | string })[]>(
    `SELECT ${ROW_COLUMNS}, embedding FROM vector_memories WHERE tenant_id = $1::uuid AND collection = $2 ORDER BY id`,
    tenantId,
    collection,
  );
  return rows.map((row) => ({ record: recordOf(row), embedding: typeof row.embedding === 'string' ? parseRealArray(row.embedding) : row.embedding.map(Number) }));
}

function parseRealArray(text: string): number[] {
  return text.replace(/^\{|\}$/g, '').split(',').map(Number);
}
