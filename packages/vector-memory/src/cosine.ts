/** `vector` scaled to unit length as float32 (a zero vector stays zero: it matches nothing). */
export function normalize(vector: ArrayLike<number>): Float32Array {
  const unit = Float32Array.from(vector as ArrayLike<number>);
  let norm = 0;
  for (let i = 0; i < unit.length; i += 1) norm += unit[i]! * unit[i]!;
  if (norm === 0) return unit;
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < unit.length; i += 1) unit[i] = unit[i]! * scale;
  return unit;
}

/** Cosine similarity of two vectors of the same length (0 when either is zero). */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i += 1) {
    dot += a[i]! * b[i]!;
    normA += a[i]! * a[i]!;
    normB += b[i]! * b[i]!;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}
