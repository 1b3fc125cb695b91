import type { IncomingHttpHeaders } from 'node:http';
import type { VectorMemory } from '@switchyard/vector-memory';
import { messageText, type InferenceMessage, type InferenceRequest } from '../domain/inference-request';
import type { AuthenticatedKey } from '../ingress/authenticate';
import type { Route } from '../router/route';
import { embedTexts, type EmbedDeps } from './embed-texts';
import { observeMemory } from './memory-io';

/** Sent on a chat answer whose route retrieves memories: how many were added, or `unavailable`. */
export const MEMORIES_HEADER = 'x-switchyard-memories';

export interface RetrievalContext {
  requestId: string;
  clientRequestId?: string | undefined;
  key: AuthenticatedKey;
  headers: IncomingHttpHeaders;
  signal: AbortSignal;
}

export type Retrieval = { request: InferenceRequest; added: number } | { request: InferenceRequest; added: 'unavailable' };

/**
 * The route's `memory.topMemories`: the k memories of the collection most similar to the request's
 * last user message (already redacted, as the stored memories are) go into the prompt as one system
 * message after the client's own system messages. From there they are prompt tokens like any other:
 * counted, billed (the provider's usage) and in the usage event. The query's embedding is billed
 * as an embedding call of its own (`<request id>:memory-query`). Retrieval is context, not the
 * answer: when it fails, the request is served without memories and says so in the header.
 */
export async function addTopMemories(deps: EmbedDeps & { vectorMemory: VectorMemory }, context: RetrievalContext, request: InferenceRequest, route: Route): Promise<Retrieval> {
  const top = route.memory?.topMemories;
  if (!top) return { request, added: 0 };
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  const query = lastUser ? messageText(lastUser).trim() : '';
  if (query.length === 0) return { request, added: 0 };
  try {
    const embedded = await embedTexts(
      deps,
      { requestId: `${context.requestId}:memory-query`, clientRequestId: context.clientRequestId, key: context.key, headers: context.headers, signal: context.signal },
      { model: top.embeddingModel, inputs: [query.slice(0, 32_000)] },
    );
    const hits = await observeMemory(deps.metrics, 'search', () => deps.vectorMemory.search(context.key.tenantId, top.collection, embedded.result.vectors[0]!, top.k));
    const kept = hits.filter((hit) => top.minScore === undefined || hit.score >= top.minScore);
    if (kept.length === 0) return { request, added: 0 };
    const text = kept.map((hit) => `- ${hit.memory.text}`).join('\n');
    deps.metrics.memoryBytes.inc({ operation: 'search', store: 'vector' }, Buffer.byteLength(text));
    const memories: InferenceMessage = { role: 'system', content: `Relevant memories (retrieved by the gateway; they may be incomplete or outdated):\n${text}` };
    const leading = request.messages.findIndex((message) => message.role !== 'system' && message.role !== 'developer');
    const at = leading === -1 ? request.messages.length : leading;
    return { request: { ...request, messages: [...request.messages.slice(0, at), memories, ...request.messages.slice(at)] }, added: kept.length };
  } catch (error) {
    deps.logger.warn({ err: error instanceof Error ? error.message : String(error), requestId: context.requestId }, 'memories not retrieved; serving without them');
    return { request, added: 'unavailable' };
  }
}
