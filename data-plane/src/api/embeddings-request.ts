import { z } from 'zod';
import type { EmbeddingRequest, EmbeddingResult } from '../domain/embedding-request';
import { ApiError } from '../errors';

/** OpenAI's own limits: at most 2,048 inputs per request, each at most 8,192 tokens. */
export const MAX_EMBEDDING_INPUTS = 2048;
export const MAX_EMBEDDING_INPUT_TOKENS = 8192;
/** ~4 characters per token (accounting/token-count.ts): the estimate every limit here uses. */
const CHARS_PER_TOKEN = 4;

/**
 * OpenAI's `POST /v1/embeddings` request, validated at the edge. Inputs are text (a string or an
 * array of strings); pre-tokenised inputs (arrays of token ids) are refused, since nothing here can
 * count, redact or police them. Unknown fields are dropped.
 */
const embeddingsRequestSchema = z.object({
  model: z.string().min(1).max(256),
  input: z.union([z.string(), z.array(z.string())]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).max(4096).optional(),
  user: z.string().max(256).optional(),
});

export interface ParsedEmbeddingsRequest {
  request: EmbeddingRequest;
  encoding: 'float' | 'base64';
}

export function parseEmbeddingsRequest(body: unknown): ParsedEmbeddingsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('invalid_request', { message: 'The request body must be a JSON object.' });
  }
  const parsed = embeddingsRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue?.path.length ? issue.path.map(String).join('.') : undefined;
    const tokenIds = param === 'input' && Array.isArray((body as { input?: unknown }).input);
    throw new ApiError('invalid_request', {
      param: param ?? 'input',
      message: tokenIds ? "Invalid value for 'input': send text (a string or an array of strings); token-id arrays are not accepted." : `Invalid value for '${param ?? 'input'}': ${issue?.message ?? 'invalid request'}`,
    });
  }
  const { model, input, encoding_format, dimensions, user } = parsed.data;
  const inputs = typeof input === 'string' ? [input] : input;
  if (inputs.length === 0) throw new ApiError('invalid_request', { param: 'input', message: "Invalid value for 'input': send at least one text." });
  if (inputs.length > MAX_EMBEDDING_INPUTS) throw new ApiError('too_many_embedding_inputs', { param: 'input' });
  inputs.forEach((text, index) => {
    if (text.length === 0) throw new ApiError('invalid_request', { param: `input.${index}`, message: `Invalid value for 'input.${index}': an input must not be empty.` });
    if (Math.ceil(text.length / CHARS_PER_TOKEN) > MAX_EMBEDDING_INPUT_TOKENS) throw new ApiError('embedding_input_too_large', { param: `input.${index}` });
  });
  return {
    request: { model, inputs, ...(dimensions !== undefined ? { dimensions } : {}), ...(user !== undefined ? { endUserId: user } : {}) },
    encoding: encoding_format ?? 'float',
  };
}

/** Estimated tokens of the inputs (the limits reserve these before the provider counts them). */
export function estimateEmbeddingTokens(inputs: readonly string[]): number {
  let tokens = 0;
  for (const text of inputs) tokens += Math.ceil(text.length / CHARS_PER_TOKEN);
  return tokens;
}

/** OpenAI's response: one `embedding` object per input; base64 is the little-endian float32 bytes, as OpenAI sends them. */
export function embeddingsResponse(model: string, result: EmbeddingResult, encoding: 'float' | 'base64') {
  return {
    object: 'list' as const,
    data: result.vectors.map((vector, index) => ({
      object: 'embedding' as const,
      index,
      embedding: encoding === 'base64' ? base64Float32(vector) : vector,
    })),
    model,
    usage: { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens },
  };
}

function base64Float32(vector: readonly number[]): string {
  const floats = Float32Array.from(vector);
  // Float32Array uses the platform's byte order; every platform Node runs on here is little-endian.
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}
