import { z } from 'zod';
import type { EmbeddingRequest, EmbeddingResult } from '../../domain/embedding-request';

/** The OpenAI embeddings body sent upstream: floats always (the gateway re-encodes for its client). */
export function toOpenAIEmbeddingsBody(request: EmbeddingRequest): Record<string, unknown> {
  return {
    model: request.model,
    input: request.inputs,
    encoding_format: 'float',
    ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
    ...(request.endUserId !== undefined ? { user: request.endUserId } : {}),
  };
}

/** An upstream's OpenAI embeddings answer, validated before anything of it reaches a client. */
const upstreamEmbeddingsSchema = z.object({
  data: z.array(z.object({ index: z.number().int().min(0), embedding: z.array(z.number()).min(1) })),
  usage: z.object({ prompt_tokens: z.number().int().min(0) }).partial().optional(),
});

/** One vector per input in input order, or undefined when the answer is not that. */
export function parseUpstreamEmbeddings(body: unknown, inputs: number): EmbeddingResult | undefined {
  const parsed = upstreamEmbeddingsSchema.safeParse(body);
  if (!parsed.success || parsed.data.data.length !== inputs) return undefined;
  const vectors: number[][] = new Array<number[]>(inputs);
  for (const item of parsed.data.data) {
    if (item.index >= inputs || vectors[item.index] !== undefined) return undefined;
    vectors[item.index] = item.embedding;
  }
  return { vectors, promptTokens: parsed.data.usage?.prompt_tokens ?? 0 };
}
