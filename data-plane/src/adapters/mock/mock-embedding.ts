import { createHash } from 'node:crypto';

/** The mock provider's embedding model: deterministic, 256 dimensions, unit length. */
export const MOCK_EMBEDDING_MODEL = 'mock-embed-1';
export const MOCK_EMBEDDING_DIMENSIONS = 256;
const MAX_WORDS = 2048;

/**
 * A deterministic embedding, pure: each lower-cased word is hashed (SHA-256 of model + word) into a
 * pseudo-random ±1 vector, the words' vectors are summed and the sum scaled to unit length (the
 * "hashing trick"). The same text always gives the same vector, and texts sharing words point the
 * same way, which is all tests of retrieval need; it knows nothing of meaning. An empty text (no
 * words) gets the hash of the text itself, so it is still a unit vector.
 */
export function mockEmbedding(model: string, text: string, dimensions = MOCK_EMBEDDING_DIMENSIONS): number[] {
  const sum = new Float64Array(dimensions);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu)?.slice(0, MAX_WORDS) ?? [text];
  for (const word of words) {
    const bits = wordBits(model, word, dimensions);
    for (let i = 0; i < dimensions; i += 1) sum[i]! += (bits[i >> 3]! >> (i & 7)) & 1 ? 1 : -1;
  }
  let norm = 0;
  for (const value of sum) norm += value * value;
  const scale = norm === 0 ? 0 : 1 / Math.sqrt(norm);
  return Array.from(sum, (value) => Math.fround(value * scale));
}

/** `dimensions` bits from SHA-256 in counter mode. */
function wordBits(model: string, word: string, dimensions: number): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(dimensions / 8));
  for (let block = 0; block * 32 < bytes.length; block += 1) {
    const digest = createHash('sha256').update(`${model}\u0000${block}\u0000${word}`).digest();
    bytes.set(digest.subarray(0, Math.min(32, bytes.length - block * 32)), block * 32);
  }
  return bytes;
}
