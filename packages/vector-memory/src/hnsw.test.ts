import { describe, expect, it } from 'vitest';
import { exactSearch, HnswIndex, mulberry32 } from './hnsw';

function randomVectors(count: number, dimensions: number, seed: number): Float32Array[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: dimensions }, () => random() * 2 - 1));
}

describe('HnswIndex', () => {
  it('finds at least 95 % of the exact top 10 on random data', () => {
    const vectors = randomVectors(3000, 24, 1);
    const index = new HnswIndex({ dimensions: 24, seed: 7 });
    vectors.forEach((vector, i) => index.add(`v${i}`, vector));
    const entries = vectors.map((vector, i) => ({ id: `v${i}`, vector }));
    let hits = 0;
    const queries = randomVectors(100, 24, 2);
    for (const query of queries) {
      const truth = new Set(exactSearch(entries, query, 10).map((n) => n.id));
      hits += index.search(query, 10).filter((n) => truth.has(n.id)).length;
    }
    expect(hits / (queries.length * 10)).toBeGreaterThanOrEqual(0.95);
  });

  it('returns the exact answer, best first, when the list covers the whole set', () => {
    const vectors = randomVectors(200, 8, 3);
    const index = new HnswIndex({ dimensions: 8 });
    vectors.forEach((vector, i) => index.add(`v${i}`, vector));
    const query = randomVectors(1, 8, 4)[0]!;
    const found = index.search(query, 5, 400);
    const truth = exactSearch(vectors.map((vector, i) => ({ id: `v${i}`, vector })), query, 5);
    expect(found.map((n) => n.id)).toEqual(truth.map((n) => n.id));
    for (let i = 0; i < found.length; i += 1) expect(found[i]!.score).toBeCloseTo(truth[i]!.score, 5);
    expect(found[0]!.score).toBeGreaterThanOrEqual(found[4]!.score);
  });

  it('scores by cosine: a vector finds itself with similarity 1 whatever its length', () => {
    const index = new HnswIndex({ dimensions: 3 });
    index.add('a', [1, 0, 0]);
    index.add('b', [0, 1, 0]);
    index.add('c', [1, 1, 0]);
    const [first, second] = index.search([10, 0, 0], 2);
    expect(first).toEqual({ id: 'a', score: expect.closeTo(1, 6) as unknown as number });
    expect(second!.id).toBe('c');
    expect(second!.score).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('never returns a removed entry, and a re-added id replaces the old vector', () => {
    const vectors = randomVectors(500, 16, 5);
    const index = new HnswIndex({ dimensions: 16 });
    vectors.forEach((vector, i) => index.add(`v${i}`, vector));
    for (let i = 0; i < 250; i += 1) expect(index.remove(`v${i}`)).toBe(true);
    expect(index.remove('v0')).toBe(false);
    expect(index.size).toBe(250);
    for (const query of randomVectors(20, 16, 6)) {
      for (const hit of index.search(query, 10)) expect(Number(hit.id.slice(1))).toBeGreaterThanOrEqual(250);
    }
    index.add('v300', vectors[0]!);
    expect(index.search(vectors[0]!, 1)[0]).toEqual({ id: 'v300', score: expect.closeTo(1, 5) as unknown as number });
    expect(index.size).toBe(250);
    const compacted = index.compact();
    expect(compacted.size).toBe(250);
    expect(compacted.tombstoneRatio).toBe(0);
  });

  it('is deterministic for the same inserts and seed', () => {
    const vectors = randomVectors(400, 8, 8);
    const build = () => {
      const index = new HnswIndex({ dimensions: 8, seed: 3 });
      vectors.forEach((vector, i) => index.add(`v${i}`, vector));
      return index;
    };
    const query = randomVectors(1, 8, 9)[0]!;
    expect(build().search(query, 10, 10)).toEqual(build().search(query, 10, 10));
  });

  it('refuses vectors of the wrong dimension and answers nothing when empty', () => {
    const index = new HnswIndex({ dimensions: 4 });
    expect(index.search([1, 0, 0, 0], 3)).toEqual([]);
    expect(() => index.add('x', [1, 2, 3])).toThrow(RangeError);
    expect(() => index.search([1, 2], 1)).toThrow(RangeError);
    expect(() => new HnswIndex({ dimensions: 0 })).toThrow(RangeError);
  });
});
