import { randomUUID } from 'node:crypto';
import type { Bus, Unsubscribe } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { VECTOR_MEMORY_CHANGED_CHANNEL, vectorMemoryChangedMessageSchema, type VectorMemoryChangedMessage } from '@switchyard/events/vector-memory';
import { clampK, DEFAULT_MAX_MEMORIES_PER_TENANT, MEMORY_EF_SEARCH, dimensionMismatch, isMemoryId, validateNewMemory, type VectorMemory } from '../vector-memory';
import { LoadedCollection } from './loaded-collection';
import { deleteCollection, deleteMemory, deleteSubject, listCollections, getMemory, insertMemory, listMemories, loadCollection } from './memory-rows';

export interface HnswVectorMemoryOptions {
  bus: Bus;
  maxMemoriesPerTenant?: number;
  /** Names this replica on the bus (its own change messages are skipped); default a random UUID. */
  replicaId?: string;
  /** Search list size (recall against latency; BENCHMARKS.md). Default MEMORY_EF_SEARCH (256). */
  efSearch?: number;
  /** Told when a collection's index is (re)built from Postgres, for metrics. */
  onLoad?: (entries: number, ms: number) => void;
  onError?: (error: unknown) => void;
}

/**
 * Vector memory for Postgres deployments: the rows are durable in Postgres (`vector_memories`,
 * row-level security), the search runs on an HNSW index in this process, built from the rows of a
 * collection on its first search and kept current by this replica's own writes and by
 * `vector-memory.changed` messages from the others (which drop the copy here; the next search
 * rebuilds it). The index is built in the background (loaded-collection.ts); searches scan exactly
 * until it is complete. A message lost on the bus leaves a replica's copy stale until the collection
 * changes again or the process restarts; the rows themselves are never stale.
 */
export async function createHnswVectorMemory(db: Database, options: HnswVectorMemoryOptions): Promise<VectorMemory> {
  const max = options.maxMemoriesPerTenant ?? DEFAULT_MAX_MEMORIES_PER_TENANT;
  const replicaId = options.replicaId ?? randomUUID();
  const efSearch = options.efSearch ?? MEMORY_EF_SEARCH;
  const collections = new Map<string, Promise<LoadedCollection | null>>();
  // Bumped by every invalidation: a build that started before it must not be installed after it.
  const generations = new Map<string, number>();
  const keyOf = (tenantId: string, collection: string) => `${tenantId}\u0000${collection}`;

  const drop = (key: string) => {
    const cached = collections.get(key);
    collections.delete(key);
    generations.set(key, (generations.get(key) ?? 0) + 1);
    void cached?.then((loaded) => loaded?.stop(), () => undefined);
  };
  const invalidate = (tenantId: string, collection?: string) => {
    const keys = collection !== undefined ? [keyOf(tenantId, collection)] : [...collections.keys()].filter((key) => key.startsWith(`${tenantId}\u0000`));
    for (const key of keys) drop(key);
  };

  const load = (tenantId: string, collection: string): Promise<LoadedCollection | null> => {
    const key = keyOf(tenantId, collection);
    const cached = collections.get(key);
    if (cached) return cached;
    const generation = generations.get(key) ?? 0;
    const started = Date.now();
    const loading = db.withTenant(tenantId, (tx) => loadCollection(tx, tenantId, collection)).then((rows) => {
      if (rows.length === 0) return null;
      const loaded = new LoadedCollection(rows, { dimensions: rows[0]!.record.dimensions, efSearch });
      void loaded.build().then(() => options.onLoad?.(rows.length, Date.now() - started));
      return loaded;
    });
    collections.set(key, loading);
    void loading.then(
      (loaded) => {
        // An empty collection is not cached (its first add would otherwise need a build to land in), nor a stale build.
        if (loaded === null || (generations.get(key) ?? 0) !== generation) {
          if (collections.get(key) === loading) collections.delete(key);
        }
      },
      () => {
        if (collections.get(key) === loading) collections.delete(key);
      },
    );
    return loading;
  };

  const announce = (tenantId: string, collection?: string) => {
    const message: VectorMemoryChangedMessage = { tenantId, replicaId, ...(collection !== undefined ? { collection } : {}) };
    options.bus.publish(VECTOR_MEMORY_CHANGED_CHANNEL, JSON.stringify(message)).catch((error: unknown) => options.onError?.(error));
  };

  const unsubscribe: Unsubscribe = await options.bus.subscribe(VECTOR_MEMORY_CHANGED_CHANNEL, (text) => {
    let parsed: VectorMemoryChangedMessage;
    try {
      parsed = vectorMemoryChangedMessageSchema.parse(JSON.parse(text));
    } catch (error) {
      options.onError?.(error);
      return;
    }
    if (parsed.replicaId !== replicaId) invalidate(parsed.tenantId, parsed.collection);
  });

  /** Applies this replica's own change to its loaded copy (never builds one just for that). */
  const applyLocally = async (tenantId: string, collection: string, change: (loaded: LoadedCollection) => void) => {
    const cached = collections.get(keyOf(tenantId, collection));
    const loaded = cached && (await cached.catch(() => null));
    if (loaded && collections.get(keyOf(tenantId, collection)) === cached) change(loaded);
  };

  return {
    async add(tenantId, memory) {
      validateNewMemory(memory);
      const result = await db.withTenant(tenantId, (tx) => insertMemory(tx, tenantId, memory, max));
      if (result.created) {
        await applyLocally(tenantId, memory.collection, (loaded) => loaded.add(result.memory, memory.embedding));
        announce(tenantId, memory.collection);
      }
      return result;
    },
    async search(tenantId, collection, query, k) {
      const limit = clampK(k);
      if (limit === 0) return [];
      const loaded = await load(tenantId, collection);
      if (!loaded) return [];
      if (loaded.index.dimensions !== query.length) throw dimensionMismatch(collection, loaded.index.dimensions, query.length);
      return loaded.search(query, limit, Math.max(efSearch, limit)).flatMap((hit) => {
        const memory = loaded.records.get(hit.id);
        return memory ? [{ memory, score: hit.score }] : [];
      });
    },
    list: (tenantId, listOptions) => db.withTenant(tenantId, (tx) => listMemories(tx, tenantId, { ...listOptions, ...(listOptions.after !== undefined && !isMemoryId(listOptions.after) ? { after: undefined } : {}) })),
    async get(tenantId, id) {
      return isMemoryId(id) ? db.withTenant(tenantId, (tx) => getMemory(tx, tenantId, id)) : null;
    },
    async remove(tenantId, id) {
      if (!isMemoryId(id)) return false;
      const collection = await db.withTenant(tenantId, (tx) => deleteMemory(tx, tenantId, id));
      if (collection === null) return false;
      await applyLocally(tenantId, collection, (loaded) => loaded.remove(id));
      // Mostly tombstones: rebuild from the rows on next use rather than walk them.
      const key = keyOf(tenantId, collection);
      const cached = collections.get(key);
      const loaded = cached && (await cached.catch(() => null));
      if (loaded && loaded.index.tombstoneRatio > 0.5) invalidate(tenantId, collection);
      announce(tenantId, collection);
      return true;
    },
    collections: (tenantId) => db.withTenant(tenantId, (tx) => listCollections(tx, tenantId)),
    async removeCollection(tenantId, collection) {
      const removed = await db.withTenant(tenantId, (tx) => deleteCollection(tx, tenantId, collection));
      // Dropped here and, through the bus, on every other replica (their next search finds no rows).
      invalidate(tenantId, collection);
      announce(tenantId, collection);
      return removed;
    },
    async eraseSubject(tenantId, subject) {
      const erased = await db.withTenant(tenantId, (tx) => deleteSubject(tx, tenantId, subject));
      for (const collection of new Set(erased.map((row) => row.collection))) {
        invalidate(tenantId, collection);
        announce(tenantId, collection);
      }
      return erased.length;
    },
    async close() {
      await unsubscribe();
      for (const key of [...collections.keys()]) drop(key);
    },
  };
}
