import { setTimeout as sleep } from 'node:timers/promises';
import type { CompletionEvent } from '../../domain/completion-event';
import type { InferenceRequest } from '../../domain/inference-request';
import { UpstreamError, type ProviderAdapter } from '../adapter';
import { directivesFromPrompt, mockCompletion, type MockDirectives } from './mock-model';
import { MOCK_EMBEDDING_DIMENSIONS, mockEmbedding } from './mock-embedding';

/** Defaults for every request; `[mock: ...]` directives in the prompt override them per request. */
export interface MockBehaviour {
  firstTokenLatencyMs?: number;
  chunkLatencyMs?: number;
  chunks?: number;
}

/**
 * Directives for every request to this provider instance (between the defaults and the prompt's),
 * optionally only for its first N requests: "this upstream fails twice, then recovers". This is
 * what lets one route's candidates behave differently for the same prompt in tests.
 */
export interface MockProviderScript {
  directives: MockDirectives;
  firstRequests?: number;
}

/** The in-process mock provider: no HTTP, same deterministic output as the mock HTTP server. */
export function createMockAdapter(name = 'mock', defaults: MockBehaviour = {}, script?: MockProviderScript): ProviderAdapter {
  let requests = 0;
  return {
    name,
    async embed(request, signal) {
      requests += 1;
      const scripted = script && (script.firstRequests === undefined || requests <= script.firstRequests) ? script.directives : {};
      // Directives ride in the last input, as in the last user message of a chat request.
      const directives: MockDirectives = { ...defaults, ...scripted, ...directivesFromPrompt({ messages: request.inputs.map((content) => ({ role: 'user', content })) }) };
      if (directives.hang) await sleep(2 ** 31 - 1, undefined, { signal });
      if (directives.status !== undefined) {
        const failure = directives.status === 429 || directives.status >= 503 ? 'upstream_unavailable' : 'upstream_error';
        throw new UpstreamError(failure, `mock provider answered HTTP ${directives.status}`, directives.retryAfterSeconds, directives.status);
      }
      if (directives.firstTokenLatencyMs) await sleep(directives.firstTokenLatencyMs, undefined, { signal });
      return {
        vectors: request.inputs.map((text) => mockEmbedding(request.model, text, request.dimensions ?? MOCK_EMBEDDING_DIMENSIONS)),
        promptTokens: request.inputs.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0),
      };
    },
    async start(request: InferenceRequest, signal: AbortSignal) {
      requests += 1;
      const scripted = script && (script.firstRequests === undefined || requests <= script.firstRequests) ? script.directives : {};
      const directives: MockDirectives = { ...defaults, ...scripted, ...directivesFromPrompt(request) };
      if (directives.hang) {
        await sleep(2 ** 31 - 1, undefined, { signal });
      }
      if (directives.status !== undefined) {
        const failure = directives.status === 429 || directives.status >= 503 ? 'upstream_unavailable' : 'upstream_error';
        throw new UpstreamError(failure, `mock provider answered HTTP ${directives.status}`, directives.retryAfterSeconds, directives.status);
      }
      if (directives.malformedJson) throw new UpstreamError('upstream_error', 'mock provider answered with malformed JSON');
      const completion = mockCompletion(request, directives);
      return { events: emit(completion, directives, signal) };
    },
  };
}

async function* emit(
  completion: ReturnType<typeof mockCompletion>,
  directives: MockDirectives,
  signal: AbortSignal,
): AsyncGenerator<CompletionEvent> {
  if (directives.firstTokenLatencyMs) await sleep(directives.firstTokenLatencyMs, undefined, { signal });
  for (const [index, content] of completion.chunks.entries()) {
    if (directives.failAfterChunks !== undefined && index >= directives.failAfterChunks) {
      throw new UpstreamError('upstream_error', `mock provider failed after ${index} chunks`);
    }
    if (index > 0 && directives.chunkLatencyMs) await sleep(directives.chunkLatencyMs, undefined, { signal });
    yield { type: 'delta', content };
  }
  if (directives.failAfterChunks !== undefined && directives.failAfterChunks >= completion.chunks.length) {
    throw new UpstreamError('upstream_error', `mock provider failed after ${completion.chunks.length} chunks`);
  }
  yield { type: 'finish', finishReason: completion.finishReason };
  yield { type: 'usage', promptTokens: completion.promptTokens, completionTokens: completion.completionTokens };
}
