/**
 * An embeddings request as the data plane sees it (OpenAI's `POST /v1/embeddings` translated at the
 * edge, api/embeddings-request.ts): the texts to embed, in order. Adapters translate it into their
 * provider's format.
 */
export interface EmbeddingRequest {
  /** A route name or an embedding model. */
  readonly model: string;
  /** One or more texts, embedded in this order; never empty. */
  readonly inputs: readonly string[];
  /** A shorter embedding, for models that can give one (OpenAI's text-embedding-3). */
  readonly dimensions?: number;
  /** The client's own identifier for its end user. */
  readonly endUserId?: string;
}

export interface EmbeddingResult {
  /** One vector per input, in input order. */
  readonly vectors: readonly (readonly number[])[];
  /** Tokens the provider counted for the inputs (estimated when it reported none). */
  readonly promptTokens: number;
}
