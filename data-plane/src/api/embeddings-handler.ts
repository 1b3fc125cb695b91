import type { IncomingMessage, ServerResponse } from 'node:http';
import { GEN_AI, SWITCHYARD } from '@switchyard/tracing';
import { currentTraceparent } from '@switchyard/tracing/context';
import { readJsonBody } from '../http/read-json-body';
import { sendJson } from '../http/respond';
import { activeRequestSpan } from '../telemetry/request-span';
import type { RequestContext } from './chat-completions-handler';
import { embedTexts, type EmbedDeps } from './embed-texts';
import { embeddingsResponse, parseEmbeddingsRequest } from './embeddings-request';

/** POST /v1/embeddings (OpenAI's wire format): parse, embed through the request path, answer. */
export async function handleEmbeddings(deps: EmbedDeps, context: RequestContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const root = activeRequestSpan();
  root?.setAttribute(SWITCHYARD.tenantId, context.key.tenantId);
  const { request: embedding, encoding } = parseEmbeddingsRequest(await readJsonBody(request, deps.maxBodyBytes));
  root?.setAttributes({ [GEN_AI.operationName]: 'embeddings', [GEN_AI.requestModel]: embedding.model });
  const abort = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) abort.abort(new Error('client disconnected'));
  });
  const embedded = await embedTexts(
    deps,
    {
      requestId: context.requestId,
      clientRequestId: context.clientRequestId,
      traceparent: root ? currentTraceparent() : undefined,
      key: context.key,
      headers: request.headers,
      signal: abort.signal,
      log: context.log,
    },
    embedding,
  );
  root?.setAttributes({ [GEN_AI.responseModel]: embedded.model, [GEN_AI.inputTokens]: embedded.result.promptTokens });
  sendJson(response, 200, embeddingsResponse(embedded.model, embedded.result, encoding));
}
