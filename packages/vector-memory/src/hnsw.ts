import { MinHeap } from './min-heap';
import { normalize } from './cosine';

/**
 * Hierarchical Navigable Small World graph (Malkov & Yashunin, "Efficient and robust approximate
 * nearest neighbor search using HNSW graphs", 2016/2018, arXiv:1603.09320) over unit vectors, so
 * cosine similarity is a dot product and distance is `1 - dot`. Pure (no I/O): the vector memory's
 * engine for Postgres deployments, where the server has no pgvector (DESIGN.md §9).
 *
 * Deletion marks a tombstone: a deleted node still routes searches (removing it would cut the graph)
 * but never appears in results; `compact` rebuilds without tombstones when they dominate.
 */
export interface HnswOptions {
  dimensions: number;
  /** Links per node on upper layers (layer 0 keeps 2·m). Default 16. */
  m?: number;
  /** Candidate list size while inserting. Default 200. */
  efConstruction?: number;
  /** Candidate list size while searching (at least k). Default 64. */
  efSearch?: number;
  /** Seeds the level draw, so the same inserts build the same graph. */
  seed?: number;
}

export interface Neighbour {
  id: string;
  /** Cosine similarity in [-1, 1]. */
  score: number;
}

export class HnswIndex {
  readonly dimensions: number;
  private readonly m: number;
  private readonly m0: number;
  private readonly efConstruction: number;
  private readonly efSearch: number;
  private readonly levelFactor: number;
  private random: () => number;

  private vectors: Float32Array;
  private capacity: number;
  private count = 0;
  private readonly levels: number[] = [];
  /** links[node][layer]: neighbour node numbers. */
  private readonly links: number[][][] = [];
  private readonly idOf: string[] = [];
  private readonly nodeOf = new Map<string, number>();
  private deleted: Uint8Array;
  private deletedCount = 0;
  private entryPoint = -1;
  private maxLevel = -1;
  private visited: Uint32Array;
  private visitMark = 0;

  constructor(options: HnswOptions) {
    if (!Number.isInteger(options.dimensions) || options.dimensions < 1) throw new RangeError('dimensions must be a positive integer');
    this.dimensions = options.dimensions;
    this.m = options.m ?? 16;
    this.m0 = this.m * 2;
    this.efConstruction = options.efConstruction ?? 200;
    this.efSearch = options.efSearch ?? 64;
    this.levelFactor = 1 / Math.log(this.m);
    this.random = mulberry32(options.seed ?? 0x5eed);
    this.capacity = 1024;
    this.vectors = new Float32Array(this.capacity * this.dimensions);
    this.deleted = new Uint8Array(this.capacity);
    this.visited = new Uint32Array(this.capacity);
  }

  /** Live (not deleted) entries. */
  get size(): number {
    return this.count - this.deletedCount;
  }

  /** Share of nodes that are tombstones (0 when empty). */
  get tombstoneRatio(): number {
    return this.count === 0 ? 0 : this.deletedCount / this.count;
  }

  has(id: string): boolean {
    const node = this.nodeOf.get(id);
    return node !== undefined && this.deleted[node] === 0;
  }

  /** Adds `vector` under `id` (normalised here); an id already present is replaced. */
  add(id: string, vector: ArrayLike<number>): void {
    if (vector.length !== this.dimensions) throw new RangeError(`expected ${this.dimensions} dimensions, got ${vector.length}`);
    if (this.nodeOf.has(id)) this.remove(id);
    const node = this.count;
    if (node === this.capacity) this.grow();
    const unit = normalize(vector);
    this.vectors.set(unit, node * this.dimensions);
    this.count += 1;
    this.idOf[node] = id;
    this.nodeOf.set(id, node);
    const level = Math.floor(-Math.log(1 - this.random()) * this.levelFactor);
    this.levels[node] = level;
    this.links[node] = Array.from({ length: level + 1 }, () => []);

    if (this.entryPoint < 0) {
      this.entryPoint = node;
      this.maxLevel = level;
      return;
    }
    let entry = this.entryPoint;
    for (let layer = this.maxLevel; layer > level; layer -= 1) entry = this.greedyClosest(unit, entry, layer);
    for (let layer = Math.min(level, this.maxLevel); layer >= 0; layer -= 1) {
      const candidates = this.searchLayer(unit, [entry], this.efConstruction, layer, false);
      const maxLinks = layer === 0 ? this.m0 : this.m;
      const chosen = this.selectNeighbours(candidates, this.m);
      this.links[node]![layer] = chosen.slice();
      for (const neighbour of chosen) {
        const theirs = this.links[neighbour]![layer]!;
        theirs.push(node);
        if (theirs.length > maxLinks) this.links[neighbour]![layer] = this.prune(neighbour, theirs, maxLinks);
      }
      entry = candidates[0]!.node;
    }
    if (level > this.maxLevel) {
      this.maxLevel = level;
      this.entryPoint = node;
    }
  }

  /** Marks `id` deleted; false when it was not present. */
  remove(id: string): boolean {
    const node = this.nodeOf.get(id);
    if (node === undefined) return false;
    this.nodeOf.delete(id);
    if (this.deleted[node] === 0) {
      this.deleted[node] = 1;
      this.deletedCount += 1;
    }
    return true;
  }

  /** The k nearest live entries by cosine similarity, best first. */
  search(query: ArrayLike<number>, k: number, ef = this.efSearch): Neighbour[] {
    if (query.length !== this.dimensions) throw new RangeError(`expected ${this.dimensions} dimensions, got ${query.length}`);
    if (this.entryPoint < 0 || k <= 0 || this.size === 0) return [];
    const unit = normalize(query);
    let entry = this.entryPoint;
    for (let layer = this.maxLevel; layer > 0; layer -= 1) entry = this.greedyClosest(unit, entry, layer);
    const found = this.searchLayer(unit, [entry], Math.max(ef, k), 0, true);
    const results: Neighbour[] = [];
    for (const { node, distance } of found) {
      if (results.length === k) break;
      results.push({ id: this.idOf[node]!, score: 1 - distance });
    }
    return results;
  }

  /** A new index holding only the live entries (tombstones dropped). */
  compact(): HnswIndex {
    const fresh = new HnswIndex({ dimensions: this.dimensions, m: this.m, efConstruction: this.efConstruction, efSearch: this.efSearch });
    for (let node = 0; node < this.count; node += 1) {
      if (this.deleted[node] === 0) fresh.add(this.idOf[node]!, this.vectors.subarray(node * this.dimensions, (node + 1) * this.dimensions));
    }
    return fresh;
  }

  // The hot loop of both building and searching: four independent sums (the JIT keeps them in
  // registers and overlaps the multiplies), then the remainder.
  private distance(query: Float32Array, node: number): number {
    const vectors = this.vectors;
    const dimensions = this.dimensions;
    const offset = node * dimensions;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i + 3 < dimensions; i += 4) {
      s0 += query[i]! * vectors[offset + i]!;
      s1 += query[i + 1]! * vectors[offset + i + 1]!;
      s2 += query[i + 2]! * vectors[offset + i + 2]!;
      s3 += query[i + 3]! * vectors[offset + i + 3]!;
    }
    for (; i < dimensions; i += 1) s0 += query[i]! * vectors[offset + i]!;
    return 1 - (s0 + s1 + s2 + s3);
  }

  private distanceBetween(a: number, b: number): number {
    const vectors = this.vectors;
    const dimensions = this.dimensions;
    const offsetA = a * dimensions;
    const offsetB = b * dimensions;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i + 3 < dimensions; i += 4) {
      s0 += vectors[offsetA + i]! * vectors[offsetB + i]!;
      s1 += vectors[offsetA + i + 1]! * vectors[offsetB + i + 1]!;
      s2 += vectors[offsetA + i + 2]! * vectors[offsetB + i + 2]!;
      s3 += vectors[offsetA + i + 3]! * vectors[offsetB + i + 3]!;
    }
    for (; i < dimensions; i += 1) s0 += vectors[offsetA + i]! * vectors[offsetB + i]!;
    return 1 - (s0 + s1 + s2 + s3);
  }

  private greedyClosest(query: Float32Array, start: number, layer: number): number {
    let current = start;
    let best = this.distance(query, current);
    for (let improved = true; improved; ) {
      improved = false;
      for (const neighbour of this.links[current]![layer] ?? []) {
        const distance = this.distance(query, neighbour);
        if (distance < best) {
          best = distance;
          current = neighbour;
          improved = true;
        }
      }
    }
    return current;
  }

  /** Algorithm 2 of the paper: best-first search on one layer; `liveOnly` keeps tombstones out of the result (not out of the walk). */
  private searchLayer(query: Float32Array, entries: readonly number[], ef: number, layer: number, liveOnly: boolean): { node: number; distance: number }[] {
    const mark = this.nextVisitMark();
    const visited = this.visited;
    const candidates = new MinHeap();
    const results = new MinHeap(); // max-heap by negated distance
    for (const entry of entries) {
      visited[entry] = mark;
      const distance = this.distance(query, entry);
      candidates.push(distance, entry);
      if (!liveOnly || this.deleted[entry] === 0) results.push(-distance, entry);
    }
    while (candidates.size > 0) {
      const nearest = candidates.peekKey();
      if (results.size >= ef && nearest > -results.peekKey()) break;
      const current = candidates.pop();
      for (const neighbour of this.links[current]![layer] ?? []) {
        if (visited[neighbour] === mark) continue;
        visited[neighbour] = mark;
        const distance = this.distance(query, neighbour);
        if (results.size < ef || distance < -results.peekKey()) {
          candidates.push(distance, neighbour);
          if (!liveOnly || this.deleted[neighbour] === 0) {
            results.push(-distance, neighbour);
            if (results.size > ef) results.pop();
          }
        }
      }
    }
    const out: { node: number; distance: number }[] = [];
    while (results.size > 0) {
      const distance = -results.peekKey();
      out.push({ node: results.pop(), distance });
    }
    return out.reverse();
  }

  /** Algorithm 4 (the heuristic): a candidate is kept only if it is closer to the new node than to any neighbour kept so far, which keeps links spread across clusters. */
  private selectNeighbours(candidates: readonly { node: number; distance: number }[], max: number): number[] {
    const kept: number[] = [];
    const skipped: number[] = [];
    for (const candidate of candidates) {
      if (kept.length >= max) break;
      let diverse = true;
      for (const other of kept) {
        if (this.distanceBetween(candidate.node, other) < candidate.distance) {
          diverse = false;
          break;
        }
      }
      if (diverse) kept.push(candidate.node);
      else skipped.push(candidate.node);
    }
    // keepPrunedConnections: fill up with the closest skipped ones, so sparse regions stay connected.
    for (const node of skipped) {
      if (kept.length >= max) break;
      kept.push(node);
    }
    return kept;
  }

  /**
   * An existing node's list over its cap keeps its closest links. (hnswlib re-runs the heuristic
   * here; that costs O(links²) distances per overflow, which in JavaScript made building ~5× slower
   * for no measurable recall at the benchmark's ef: BENCHMARKS.md.)
   */
  private prune(node: number, links: readonly number[], max: number): number[] {
    const scored = links.map((other) => ({ node: other, distance: this.distanceBetween(node, other) })).sort((a, b) => a.distance - b.distance);
    return scored.slice(0, max).map((entry) => entry.node);
  }

  private nextVisitMark(): number {
    this.visitMark += 1;
    if (this.visitMark === 0xffffffff) {
      this.visited.fill(0);
      this.visitMark = 1;
    }
    return this.visitMark;
  }

  private grow(): void {
    this.capacity *= 2;
    const vectors = new Float32Array(this.capacity * this.dimensions);
    vectors.set(this.vectors);
    this.vectors = vectors;
    const deleted = new Uint8Array(this.capacity);
    deleted.set(this.deleted);
    this.deleted = deleted;
    const visited = new Uint32Array(this.capacity);
    visited.set(this.visited);
    this.visited = visited;
  }
}

/** Exact k nearest by cosine similarity (the ground truth the benchmark and tests compare HNSW with). */
export function exactSearch(entries: Iterable<{ id: string; vector: ArrayLike<number> }>, query: ArrayLike<number>, k: number): Neighbour[] {
  const unit = normalize(query);
  const heap = new MinHeap(); // keeps the k best: smallest score on top
  const ids: string[] = [];
  for (const entry of entries) {
    const score = dotWithUnit(unit, entry.vector);
    if (heap.size < k) {
      ids.push(entry.id);
      heap.push(score, ids.length - 1);
    } else if (score > heap.peekKey()) {
      heap.pop();
      ids.push(entry.id);
      heap.push(score, ids.length - 1);
    }
  }
  const out: Neighbour[] = [];
  while (heap.size > 0) {
    const score = heap.peekKey();
    out.push({ id: ids[heap.pop()]!, score });
  }
  return out.reverse();
}

function dotWithUnit(unit: Float32Array, vector: ArrayLike<number>): number {
  let dot = 0;
  let norm = 0;
  for (let i = 0; i < unit.length; i += 1) {
    const value = vector[i]!;
    dot += unit[i]! * value;
    norm += value * value;
  }
  return norm === 0 ? 0 : dot / Math.sqrt(norm);
}

/** Small, fast, seedable PRNG (public domain, Tommy Ettinger): deterministic graphs for tests and benchmarks. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
