import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exactSearch, mulberry32 } from '../hnsw';
import type { MemoryRecord } from '../vector-memory';
import { LoadedCollection } from './loaded-collection';

const random = mulberry32(5);
const vector = () => Array.from({ length: 16 }, () => random() * 2 - 1);
const row = () => {
  const id = randomUUID();
  const record: MemoryRecord = { id, collection: 'c', text: id, embeddingModel: 'm', dimensions: 16, subject: null, createdAt: new Date() };
  return { record, embedding: vector() };
};

describe('LoadedCollection', () => {
  it('answers exactly while its index builds in slices, then from the index; changes made during the build hold', async () => {
    const rows = Array.from({ length: 3000 }, row);
    const loaded = new LoadedCollection(rows, { dimensions: 16, efSearch: 256 });
    const building = loaded.build();
    expect(loaded.building).toBe(true);
    const query = vector();
    const exact = exactSearch(rows.map((r) => ({ id: r.record.id, vector: r.embedding })), query, 10);
    expect(loaded.search(query, 10, 256).map((hit) => hit.id)).toEqual(exact.map((hit) => hit.id));

    // The build yields to the event loop: a timer gets to run before it ends.
    let ticked = false;
    setTimeout(() => (ticked = true), 0);
    const removed = rows[2999]!.record.id;
    loaded.remove(removed);
    const added = row();
    loaded.add(added.record, added.embedding);
    await building;
    expect(ticked).toBe(true);
    expect(loaded.building).toBe(false);
    expect(loaded.records.has(removed)).toBe(false);
    expect(loaded.search(rows[2999]!.embedding, 10, 256).map((hit) => hit.id)).not.toContain(removed);
    expect(loaded.search(added.embedding, 1, 256)[0]!.id).toBe(added.record.id);
    expect(loaded.index.size).toBe(3000);
  });

  it('stops building when dropped', async () => {
    const loaded = new LoadedCollection(Array.from({ length: 2000 }, row), { dimensions: 16, efSearch: 64 });
    const building = loaded.build();
    loaded.stop();
    await building;
    expect(loaded.building).toBe(true);
    expect(loaded.index.size).toBeLessThan(2000);
  });
});
