import { exactSearch, HnswIndex, type Neighbour } from '../hnsw';
import type { MemoryRecord } from '../vector-memory';

/** Work per slice of a background build before yielding to the event loop (requests keep flowing). */
const BUILD_SLICE_MS = 8;

/**
 * One collection's memories in a replica: the records and an HNSW index over their embeddings.
 * Building the index costs about a millisecond or two per vector here (BENCHMARKS.md), minutes for a
 * large collection, so it is built in the background in slices of a few milliseconds; until it is
 * complete, searches scan the embeddings exactly (tens of milliseconds at 100,000), so nothing waits
 * for the build and no answer is worse than exact.
 */
export class LoadedCollection {
  readonly records = new Map<string, MemoryRecord>();
  readonly index: HnswIndex;
  /** The embeddings, kept only while the index is incomplete (the exact fallback). */
  private pending: Map<string, readonly number[]> | undefined = new Map();
  private stopped = false;

  constructor(
    rows: readonly { record: MemoryRecord; embedding: readonly number[] }[],
    options: { dimensions: number; efSearch: number },
  ) {
    this.index = new HnswIndex({ dimensions: options.dimensions, efSearch: options.efSearch });
    for (const { record, embedding } of rows) {
      this.records.set(record.id, record);
      this.pending!.set(record.id, embedding);
    }
  }

  get building(): boolean {
    return this.pending !== undefined;
  }

  /** Builds the index in slices; resolves when complete (or stopped). */
  async build(): Promise<void> {
    const queue = [...this.pending!.keys()];
    let next = 0;
    while (next < queue.length && !this.stopped) {
      const sliceEnd = performance.now() + BUILD_SLICE_MS;
      while (next < queue.length && performance.now() < sliceEnd) {
        const id = queue[next++]!;
        // Removed (or re-added by this replica) while the build ran: the current state wins.
        const embedding = this.pending?.get(id);
        if (embedding && !this.index.has(id)) this.index.add(id, embedding);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (!this.stopped) this.pending = undefined;
  }

  stop(): void {
    this.stopped = true;
  }

  add(record: MemoryRecord, embedding: readonly number[]): void {
    this.records.set(record.id, record);
    this.pending?.set(record.id, embedding);
    this.index.add(record.id, embedding);
  }

  remove(id: string): void {
    this.records.delete(id);
    this.pending?.delete(id);
    this.index.remove(id);
  }

  search(query: readonly number[], k: number, ef: number): Neighbour[] {
    if (this.pending) return exactSearch([...this.pending].map(([id, vector]) => ({ id, vector })), query, k);
    return this.index.search(query, k, ef);
  }
}
