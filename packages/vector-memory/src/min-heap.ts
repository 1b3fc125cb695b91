/**
 * A binary min-heap of (key, id) pairs on parallel arrays: the priority queues of the HNSW search.
 * A max-heap is the same heap fed negated keys.
 */
export class MinHeap {
  private readonly keys: number[] = [];
  private readonly ids: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** The smallest key; Infinity when empty. */
  peekKey(): number {
    return this.keys.length > 0 ? this.keys[0]! : Infinity;
  }

  peekId(): number {
    return this.ids[0] ?? -1;
  }

  push(key: number, id: number): void {
    const keys = this.keys;
    const ids = this.ids;
    let index = keys.length;
    keys.push(key);
    ids.push(id);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (keys[parent]! <= key) break;
      keys[index] = keys[parent]!;
      ids[index] = ids[parent]!;
      index = parent;
    }
    keys[index] = key;
    ids[index] = id;
  }

  /** Removes the smallest entry and returns its id (-1 when empty). */
  pop(): number {
    const keys = this.keys;
    const ids = this.ids;
    if (keys.length === 0) return -1;
    const top = ids[0]!;
    const lastKey = keys.pop()!;
    const lastId = ids.pop()!;
    const size = keys.length;
    if (size === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && keys[right]! < keys[left]! ? right : left;
      if (keys[child]! >= lastKey) break;
      keys[index] = keys[child]!;
      ids[index] = ids[child]!;
      index = child;
    }
    keys[index] = lastKey;
    ids[index] = lastId;
    return top;
  }
}
