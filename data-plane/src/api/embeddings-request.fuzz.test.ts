import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { embeddingsResponse, MAX_EMBEDDING_INPUTS, parseEmbeddingsRequest } from './embeddings-request';

/** Whatever body arrives, the parser returns a request within the limits or throws a client error (CI-bounded runs). */
const junk = fc.jsonValue({ maxDepth: 2 });
const either = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: junk });
const body = fc.oneof(
  fc.record(
    {
      model: either(fc.constantFrom('mock-embed-1', '', 'x'.repeat(300))),
      input: either(fc.oneof(fc.string({ maxLength: 50 }), fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }), fc.array(fc.integer(), { maxLength: 5 }))),
      encoding_format: either(fc.constantFrom('float', 'base64', 'hex')),
      dimensions: either(fc.oneof(fc.integer(), fc.double())),
      user: either(fc.string({ maxLength: 300 })),
    },
    { requiredKeys: [] },
  ),
  junk,
);

describe('parseEmbeddingsRequest (fuzzed)', () => {
  it('answers a bounded request or a client error, never anything else', () => {
    fc.assert(
      fc.property(body, (candidate) => {
        try {
          const { request, encoding } = parseEmbeddingsRequest(candidate);
          expect(request.inputs.length).toBeGreaterThan(0);
          expect(request.inputs.length).toBeLessThanOrEqual(MAX_EMBEDDING_INPUTS);
          expect(request.inputs.every((text) => typeof text === 'string' && text.length > 0)).toBe(true);
          expect(['float', 'base64']).toContain(encoding);
        } catch (error) {
          expect(error).toBeInstanceOf(ApiError);
          expect((error as ApiError).status).toBe(400);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('base64 round-trips any float32 vector', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true }), { minLength: 1, maxLength: 64 }), (vector) => {
        const encoded = embeddingsResponse('m', { vectors: [vector], promptTokens: 1 }, 'base64').data[0]!.embedding as string;
        const bytes = Buffer.from(encoded, 'base64');
        expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4))).toEqual(vector.map((value) => Math.fround(value)));
      }),
      { numRuns: 200 },
    );
  });
});
