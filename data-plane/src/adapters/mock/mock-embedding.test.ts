import { describe, expect, it } from 'vitest';
import { MOCK_EMBEDDING_DIMENSIONS, mockEmbedding } from './mock-embedding';

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);

describe('mockEmbedding', () => {
  it('is deterministic, unit length and of the fixed dimension', () => {
    const a = mockEmbedding('mock-embed-1', 'The quick brown fox');
    expect(a).toEqual(mockEmbedding('mock-embed-1', 'The quick brown fox'));
    expect(a).toHaveLength(MOCK_EMBEDDING_DIMENSIONS);
    expect(cosine(a, a)).toBeCloseTo(1, 5);
  });

  it('points texts sharing words the same way, and differs by model', () => {
    const stored = mockEmbedding('mock-embed-1', 'my favourite colour is blue');
    const related = mockEmbedding('mock-embed-1', 'what is my favourite colour');
    const unrelated = mockEmbedding('mock-embed-1', 'invoices are due on the first monday');
    expect(cosine(stored, related)).toBeGreaterThan(cosine(stored, unrelated) + 0.2);
    expect(mockEmbedding('mock-embed-2', 'blue')).not.toEqual(mockEmbedding('mock-embed-1', 'blue'));
  });

  it('gives an empty or symbol-only text a unit vector too, and honours a smaller dimension', () => {
    expect(cosine(mockEmbedding('m', ''), mockEmbedding('m', ''))).toBeCloseTo(1, 5);
    expect(cosine(mockEmbedding('m', '!!!'), mockEmbedding('m', '!!!'))).toBeCloseTo(1, 5);
    expect(mockEmbedding('m', 'x', 64)).toHaveLength(64);
  });
});
