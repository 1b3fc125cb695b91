/**
 * The vector memory port: per-tenant collections of embedded text snippets with cosine similarity
 * search. Implementations: in-process (tests, embedders without a database), PGlite with pgvector
 * (the embedded default) and Postgres rows with an in-process HNSW index (Postgres deployments).
 * All pass vector-memory.contract.ts.
 *
 * Every method takes the tenant first and never reaches another tenant's rows: an id of another
 * tenant's memory is simply not found.
 */
export interface MemoryRecord {
  id: string;
  collection: string;
  /** The stored text (already redacted by the caller). */
  text: string;
  /** The model that embedded it; a collection's vectors come from one model and dimension. */
  embeddingModel: string;
  dimensions: number;
  /** The data subject the memory is about (DSR export and erasure), when the caller named one. */
  subject: string | null;
  createdAt: Date;
}

export interface NewMemory {
  /** Chosen by the caller (a random UUID, or one derived from an idempotency key): adding the same id twice stores it once. */
  id: string;
  collection: string;
  text: string;
  embedding: readonly number[];
  embeddingModel: string;
  subject?: string | null;
}

export interface MemoryHit {
  memory: MemoryRecord;
  /** Cosine similarity in [-1, 1], best first. */
  score: number;
}

export interface ListMemoriesOptions {
  collection?: string;
  /** At most this many (1..MAX_LIST_LIMIT). */
  limit: number;
  /** Only memories whose id sorts after this one (the previous page's last id). */
  after?: string;
}

/** A collection as the admin plane lists it (never its vectors). */
export interface CollectionSummary {
  name: string;
  memories: number;
  dimensions: number;
  embeddingModel: string;
  /** When its newest memory was added. */
  lastAddedAt: Date;
}

export interface VectorMemory {
  /** Stores a memory; `created` is false when the id was already stored (nothing changes then). */
  add(tenantId: string, memory: NewMemory): Promise<{ memory: MemoryRecord; created: boolean }>;
  /** The k memories of `collection` most similar to `query`; empty for an unknown collection. */
  search(tenantId: string, collection: string, query: readonly number[], k: number): Promise<MemoryHit[]>;
  /** The tenant's memories ordered by id. */
  list(tenantId: string, options: ListMemoriesOptions): Promise<MemoryRecord[]>;
  get(tenantId: string, id: string): Promise<MemoryRecord | null>;
  /** False when no memory of this tenant has the id. */
  remove(tenantId: string, id: string): Promise<boolean>;
  /** The tenant's collections by name. */
  collections(tenantId: string): Promise<CollectionSummary[]>;
  /** Deletes a whole collection (replicas drop their index of it); returns how many memories went. */
  removeCollection(tenantId: string, collection: string): Promise<number>;
  /** Erases every memory about `subject` (DSR erasure); returns how many. */
  eraseSubject(tenantId: string, subject: string): Promise<number>;
  close(): Promise<void>;
}

export type VectorMemoryErrorCode = 'dimension_mismatch' | 'quota_exceeded' | 'invalid_memory';

/** A caller-caused refusal with a stable code (the data plane maps it to its API errors). */
export class VectorMemoryError extends Error {
  override readonly name = 'VectorMemoryError';
  constructor(
    readonly code: VectorMemoryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const MAX_DIMENSIONS = 4096;
export const MAX_TEXT_CHARS = 8192;
export const MAX_K = 100;
/**
 * The HNSW search list size the vector memories use: the smallest that kept recall@10 at or above
 * 0.95 on both of the benchmark's data sets of 100,000 vectors (BENCHMARKS.md), at ~3-4 ms p99.
 */
export const MEMORY_EF_SEARCH = 256;
export const MAX_LIST_LIMIT = 500;
/** Default cap on a tenant's stored memories (all collections). */
export const DEFAULT_MAX_MEMORIES_PER_TENANT = 100_000;
export const COLLECTION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isMemoryId(id: string): boolean {
  return UUID_PATTERN.test(id);
}

/** What every implementation checks before it touches state (the same refusals everywhere). */
export function validateNewMemory(memory: NewMemory): void {
  if (!isMemoryId(memory.id)) throw new VectorMemoryError('invalid_memory', 'A memory id must be a lower-case UUID.');
  if (!COLLECTION_PATTERN.test(memory.collection)) throw new VectorMemoryError('invalid_memory', 'A collection name is 1-64 letters, digits, `_`, `.` or `-`, starting with a letter or digit.');
  if (memory.text.length === 0 || memory.text.length > MAX_TEXT_CHARS) throw new VectorMemoryError('invalid_memory', `A memory's text is 1-${MAX_TEXT_CHARS} characters.`);
  const { embedding } = memory;
  if (embedding.length === 0 || embedding.length > MAX_DIMENSIONS) throw new VectorMemoryError('invalid_memory', `An embedding has 1-${MAX_DIMENSIONS} dimensions.`);
  if (!embedding.every((value) => Number.isFinite(value))) throw new VectorMemoryError('invalid_memory', 'An embedding holds finite numbers only.');
  if (memory.subject !== undefined && memory.subject !== null && (memory.subject.length === 0 || memory.subject.length > 256)) {
    throw new VectorMemoryError('invalid_memory', 'A subject is 1-256 characters.');
  }
}

export function dimensionMismatch(collection: string, expected: number, got: number): VectorMemoryError {
  return new VectorMemoryError('dimension_mismatch', `Collection '${collection}' holds ${expected}-dimensional embeddings; this one has ${got}. Use the same embedding model for a collection.`);
}

export function quotaExceeded(max: number): VectorMemoryError {
  return new VectorMemoryError('quota_exceeded', `This tenant already stores ${max} memories, its limit. Delete memories before adding more.`);
}

export function clampK(k: number): number {
  return Math.max(0, Math.min(MAX_K, Math.floor(k)));
}
