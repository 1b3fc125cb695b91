import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { COLLECTION_PATTERN, isMemoryId, MAX_LIST_LIMIT, MAX_TEXT_CHARS, VectorMemoryError, type MemoryRecord, type VectorMemory } from '@switchyard/vector-memory';
import { ApiError } from '../errors';
import { readJsonBody } from '../http/read-json-body';
import { sendJson } from '../http/respond';
import type { RequestContext } from './chat-completions-handler';
import { embedTexts, type EmbedDeps } from './embed-texts';
import { observeMemory, type MemoryMetrics } from './memory-io';

export interface MemoriesDeps extends EmbedDeps {
  vectorMemory: VectorMemory;
  /** Embeds a memory whose request names no model. */
  defaultEmbeddingModel: string;
}

const collectionSchema = z.string().regex(COLLECTION_PATTERN, 'a collection is 1-64 letters, digits, `_`, `.` or `-`, starting with a letter or digit');

const addMemorySchema = z.object({
  collection: collectionSchema,
  text: z.string().min(1).max(MAX_TEXT_CHARS),
  /** The embedding model (or route); default: the data plane's default embedding model. */
  model: z.string().min(1).max(256).optional(),
  /** Whom the memory is about (DSR export and erasure). */
  subject: z.string().min(1).max(256).optional(),
});

/** `Idempotency-Key` (Stripe's convention): the same key from the same tenant adds one memory, however often it is sent. */
const IDEMPOTENCY_HEADER = 'idempotency-key';

/** The memory in the API's shape (snake_case like the rest of the OpenAI surface). */
export function memoryObject(memory: MemoryRecord) {
  return {
    id: memory.id,
    object: 'memory' as const,
    collection: memory.collection,
    text: memory.text,
    model: memory.embeddingModel,
    dimensions: memory.dimensions,
    subject: memory.subject,
    created_at: Math.floor(memory.createdAt.getTime() / 1000),
  };
}

/**
 * POST /v1/memories: embed the text (through the request path: limits, redaction, policy, routing,
 * billing) and store it, redacted, in the tenant's collection. 201 when stored, 200 when the
 * idempotency key had already stored it.
 */
export async function handleAddMemory(deps: MemoriesDeps, context: RequestContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readJsonBody(request, deps.maxBodyBytes);
  const parsed = addMemorySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue?.path.map(String).join('.') || undefined;
    throw new ApiError('invalid_request', { ...(param ? { param } : {}), message: param ? `Invalid value for '${param}': ${issue?.message ?? 'invalid'}` : 'The request body must be a JSON object with `collection` and `text`.' });
  }
  const { collection, text, model, subject } = parsed.data;
  const { tenantId } = context.key;
  const idempotencyKey = request.headers[IDEMPOTENCY_HEADER];
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0 || idempotencyKey.length > 255)) {
    throw new ApiError('invalid_request', { param: IDEMPOTENCY_HEADER, message: 'The Idempotency-Key header is 1-255 characters, sent once.' });
  }
  const id = typeof idempotencyKey === 'string' ? idFromKey(tenantId, idempotencyKey) : randomUUID();
  // A replay answers from the store, embedding (and billing) nothing again.
  const replay = idempotencyKey !== undefined ? await deps.vectorMemory.get(tenantId, id) : null;
  if (replay) return sendJson(response, 200, memoryObject(replay));

  const abort = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) abort.abort(new Error('client disconnected'));
  });
  const embedded = await embedTexts(deps, { requestId: context.requestId, clientRequestId: context.clientRequestId, key: context.key, headers: request.headers, signal: abort.signal, log: context.log }, { model: model ?? deps.defaultEmbeddingModel, inputs: [text] });
  // What is stored is what was embedded: the text after the tenant's PII redaction.
  const stored = await observeMemory(deps.metrics, 'add', () =>
    deps.vectorMemory.add(tenantId, { id, collection, text: embedded.inputs[0]!, embedding: embedded.result.vectors[0]!, embeddingModel: embedded.model, subject: subject ?? null }).catch(rethrowMemoryError),
  );
  deps.metrics.memoryBytes.inc({ operation: 'add', store: 'vector' }, Buffer.byteLength(stored.memory.text));
  sendJson(response, stored.created ? 201 : 200, memoryObject(stored.memory));
}

/** GET /v1/memories?collection=&limit=&after=: the tenant's memories by id, a page at a time. */
export async function handleListMemories(deps: Pick<MemoriesDeps, 'vectorMemory'> & { metrics: MemoryMetrics }, context: RequestContext, url: URL): Promise<{ status: number; body: unknown }> {
  const collection = url.searchParams.get('collection') ?? undefined;
  if (collection !== undefined && !COLLECTION_PATTERN.test(collection)) throw new ApiError('invalid_request', { param: 'collection', message: "Invalid value for 'collection': 1-64 letters, digits, `_`, `.` or `-`." });
  const limitText = url.searchParams.get('limit');
  const limit = limitText === null ? 100 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) throw new ApiError('invalid_request', { param: 'limit', message: `Invalid value for 'limit': an integer from 1 to ${MAX_LIST_LIMIT}.` });
  const after = url.searchParams.get('after') ?? undefined;
  if (after !== undefined && !isMemoryId(after)) throw new ApiError('invalid_request', { param: 'after', message: "Invalid value for 'after': the id of the previous page's last memory." });
  // One more than asked: whether another page follows.
  const page = await observeMemory(deps.metrics, 'list', () => deps.vectorMemory.list(context.key.tenantId, { limit: Math.min(MAX_LIST_LIMIT, limit + 1), ...(collection !== undefined ? { collection } : {}), ...(after !== undefined ? { after } : {}) }));
  const data = page.slice(0, limit).map(memoryObject);
  return { status: 200, body: { object: 'list', data, has_more: page.length > limit, last_id: data.at(-1)?.id ?? null } };
}

/** GET or DELETE /v1/memories/{id}: another tenant's id (or no such id) is 404, never 403. */
export async function handleMemory(deps: Pick<MemoriesDeps, 'vectorMemory'> & { metrics: MemoryMetrics }, context: RequestContext, method: 'GET' | 'DELETE', id: string): Promise<{ status: number; body: unknown }> {
  const { tenantId } = context.key;
  if (method === 'GET') {
    const memory = isMemoryId(id) ? await observeMemory(deps.metrics, 'get', () => deps.vectorMemory.get(tenantId, id)) : null;
    if (!memory) throw new ApiError('memory_not_found');
    return { status: 200, body: memoryObject(memory) };
  }
  const removed = isMemoryId(id) && (await observeMemory(deps.metrics, 'delete', () => deps.vectorMemory.remove(tenantId, id)));
  if (!removed) throw new ApiError('memory_not_found');
  return { status: 200, body: { id, object: 'memory.deleted', deleted: true } };
}

/** The port's refusals as API errors. */
export function rethrowMemoryError(error: unknown): never {
  if (error instanceof VectorMemoryError) {
    if (error.code === 'dimension_mismatch') throw new ApiError('memory_dimension_mismatch', { message: error.message });
    if (error.code === 'quota_exceeded') throw new ApiError('memory_quota_exceeded', { message: error.message });
    throw new ApiError('invalid_request', { message: error.message });
  }
  throw error;
}

/** A UUID (v8 layout: custom) named by the tenant and its idempotency key. */
function idFromKey(tenantId: string, key: string): string {
  const hex = createHash('sha256').update(`memory\u0000${tenantId}\u0000${key}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
