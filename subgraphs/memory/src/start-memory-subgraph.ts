import { createSnapshottedSessionWindow, DEFAULT_SESSION_WINDOW_LIMITS, type SessionWindow, type SessionWindowLimits } from '@switchyard/memory/session';
import { createDatabaseSessionSnapshot } from '@switchyard/memory/session/database';
import type { VectorMemory } from '@switchyard/vector-memory';
import { createHnswVectorMemory, createPgvectorVectorMemory } from '@switchyard/vector-memory/database';
import type { StartedSubgraph, SubgraphRuntime } from '@switchyard/subgraph-kit/runtime';
import { createMemorySubgraph } from './memory-subgraph';

export interface MemorySubgraphOptions {
  /**
   * The data plane's fast session store: the same Redis (and key prefix) as its replicas, or, in
   * `npm start` without Redis, the very in-process window the data plane uses. A delete must
   * reach it, else the data plane would keep serving the session.
   */
  fastSessions: SessionWindow;
  /** The data plane's window limits (MEMORY_*); default the memory package's. */
  limits?: SessionWindowLimits;
  /** Default: the database's own (pgvector on PGlite, Postgres rows + HNSW replicas told over the bus). */
  vectors?: VectorMemory;
  introspection?: boolean;
}

/** The memory subgraph as every process runs it (its own, or `npm start`). */
export async function startMemorySubgraph(runtime: SubgraphRuntime, options: MemorySubgraphOptions): Promise<StartedSubgraph> {
  const { db, bus, logger } = runtime;
  const limits = options.limits ?? DEFAULT_SESSION_WINDOW_LIMITS;
  const snapshot = createDatabaseSessionSnapshot(db);
  const sessions = createSnapshottedSessionWindow(options.fastSessions, snapshot, {
    limits,
    onSnapshotError: (error, what) => logger.warn({ err: error instanceof Error ? error.message : String(error), what }, 'session snapshot operation failed'),
  });
  // The same implementation the data plane picks for this database, so removals reach its replicas' indexes.
  const ownsVectors = options.vectors === undefined;
  const vectors = options.vectors ?? (db.kind === 'pglite' ? createPgvectorVectorMemory(db) : await createHnswVectorMemory(db, { bus }));
  const subgraph = createMemorySubgraph({ ...runtime, sessions, directory: snapshot, vectors, introspection: options.introspection ?? false, maxTurns: limits.maxTurns });
  return {
    server: subgraph.server,
    async close() {
      await subgraph.close();
      if (ownsVectors) await vectors.close();
    },
  };
}
