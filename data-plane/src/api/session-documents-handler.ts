/**
 * The session documents of the memory fabric over HTTP (the domain and its store live in
 * @switchyard/session-documents):
 *   GET    /v1/sessions/{id}/document          the document: JSON content, Yjs state, state vector
 *                                              (`?state_vector=<base64>`: also the update that client is missing)
 *   POST   /v1/sessions/{id}/document/updates  apply a Yjs update `{ "update": base64, "user"?: end-user id }`
 *   DELETE /v1/sessions/{id}/document
 *   GET    /v1/sessions/{id}/document/events   SSE: `state` (the whole document) first, then every `update`
 * Documents are per tenant: another tenant's session id is just an unknown one (404).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { DataClassification } from '@switchyard/db/tenant-settings';
import { decodeBase64, encodeBase64, missingSince, SESSION_ID_PATTERN, type SessionDocuments, type WriteRefusal } from '@switchyard/session-documents';
import { ApiError, type ErrorCode } from '../errors';
import { readJsonBody } from '../http/read-json-body';
import { sendJson, startEventStream } from '../http/respond';
import type { AuthenticatedCaller } from '../ingress/authenticate';
import { observeMemory, type MemoryMetrics } from './memory-io';

export type SessionDocumentAction = 'document' | 'updates' | 'events';

const PATH = /^\/v1\/sessions\/([^/]+)\/document(?:\/(updates|events))?$/;

/** `/v1/sessions/{id}/document[/updates|/events]` → the raw id and the action; null for any other path. */
export function matchSessionDocumentPath(path: string): { rawSessionId: string; action: SessionDocumentAction } | null {
  const match = PATH.exec(path);
  if (!match?.[1]) return null;
  return { rawSessionId: match[1], action: (match[2] as 'updates' | 'events' | undefined) ?? 'document' };
}

export const SESSION_DOCUMENT_METHODS: Record<SessionDocumentAction, readonly string[]> = {
  document: ['GET', 'DELETE'],
  updates: ['POST'],
  events: ['GET'],
};

function sessionIdOf(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new ApiError('invalid_session_id', { param: 'session_id' });
  }
  if (!SESSION_ID_PATTERN.test(decoded)) throw new ApiError('invalid_session_id', { param: 'session_id' });
  return decoded;
}

const updateSchema = z.strictObject({
  update: z.string().min(1),
  /** The application's end user the edit is about (OpenAI's `user`): a data subject of the document. */
  user: z.string().min(1).max(200).optional(),
});

const REFUSALS: Record<WriteRefusal, ErrorCode> = {
  malformed: 'invalid_document_update',
  empty: 'invalid_document_update',
  update_too_large: 'session_document_update_too_large',
  document_too_large: 'session_document_too_large',
  quota_exceeded: 'session_document_quota_exceeded',
};

/** JSON around the base64 update: `{"update":"…","user":"…"}` plus whitespace. */
const ENVELOPE_BYTES = 1024;
/** A comment line on idle event streams so proxies do not time them out. */
const KEEP_ALIVE_MS = 15_000;

export interface SessionDocumentsHandlerDeps {
  documents: SessionDocuments;
  classificationOf(tenantId: string): DataClassification;
  /** Open event streams: the app ends them when it closes. */
  streams: Set<ServerResponse>;
  /** Every store access is a memory_io step counted in the switchyard_memory_* metrics (store `document`). */
  metrics: MemoryMetrics;
}

export async function handleSessionDocument(
  deps: SessionDocumentsHandlerDeps,
  caller: AuthenticatedCaller,
  target: { rawSessionId: string; action: SessionDocumentAction },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const sessionId = sessionIdOf(target.rawSessionId);
  const { documents } = deps;
  const tenantId = caller.tenantId;
  if (target.action === 'updates') {
    // The base64 of the largest update plus its envelope: anything larger is refused unread.
    const body = await readJsonBody(request, Math.ceil(documents.limits.maxUpdateBytes / 3) * 4 + ENVELOPE_BYTES);
    const parsed = updateSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiError('invalid_request', {
        param: issue?.path.join('.') || undefined,
        message: `Invalid session document update: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'malformed'}. Send {"update": "<base64 Yjs update>", "user": "<optional end-user id>"}.`,
      });
    }
    const subjectIds = [...(caller.kind === 'user' ? [caller.callerId.replace(/^user:/, '')] : []), ...(parsed.data.user ? [parsed.data.user] : [])];
    const outcome = await observeMemory(
      deps.metrics,
      'write',
      () => documents.write(tenantId, sessionId, parsed.data.update, { subjectIds, classification: deps.classificationOf(tenantId) }),
      // A refused update stores nothing: a miss.
      { store: 'document', bytesOf: (written) => (written.ok ? written.bytes : undefined), isMiss: (written) => !written.ok },
    );
    if (!outcome.ok) throw new ApiError(REFUSALS[outcome.refusal], { param: outcome.refusal === 'quota_exceeded' ? undefined : 'update', message: `${ERROR_PREFIX[outcome.refusal]}: ${outcome.detail}.` });
    return sendJson(response, outcome.created ? 201 : 200, { object: 'session.document.update', session_id: sessionId, created: outcome.created, duplicate: outcome.duplicate, bytes: outcome.bytes });
  }
  if (target.action === 'events') return streamEvents(deps, tenantId, sessionId, response);
  if (request.method === 'DELETE') {
    if (!(await observeMemory(deps.metrics, 'delete', () => documents.delete(tenantId, sessionId), { store: 'document' }))) throw new ApiError('session_document_not_found');
    return sendJson(response, 200, { object: 'session.document.deleted', session_id: sessionId, deleted: true });
  }
  const since = new URL(request.url ?? '/', 'http://localhost').searchParams.get('state_vector');
  const stateVector = since === null ? null : decodeBase64(since);
  if (since !== null && (!stateVector || since.length > 65_536)) throw new ApiError('invalid_request', { param: 'state_vector', message: 'state_vector must be the base64 of a Yjs state vector (Y.encodeStateVector).' });
  const view = await observeMemory(deps.metrics, 'read', () => documents.read(tenantId, sessionId), { store: 'document', bytesOf: (read) => read?.bytes });
  if (!view) throw new ApiError('session_document_not_found');
  let missing: string | undefined;
  if (stateVector) {
    try {
      missing = encodeBase64(missingSince(view.state, stateVector));
    } catch {
      throw new ApiError('invalid_request', { param: 'state_vector', message: 'state_vector must be the base64 of a Yjs state vector (Y.encodeStateVector).' });
    }
  }
  return sendJson(response, 200, {
    object: 'session.document',
    session_id: sessionId,
    content: view.content,
    state: encodeBase64(view.state),
    state_vector: encodeBase64(view.stateVector),
    ...(missing === undefined ? {} : { update: missing }),
    bytes: view.bytes,
    data_classification: view.classification,
    created_at: Math.floor(view.createdAt.getTime() / 1000),
    updated_at: Math.floor(view.updatedAt.getTime() / 1000),
  });
}

const ERROR_PREFIX: Record<WriteRefusal, string> = {
  malformed: 'The update is not a Yjs update',
  empty: 'The update changes nothing',
  update_too_large: 'The update is too large',
  document_too_large: 'The session document would be too large',
  quota_exceeded: 'Session document quota exceeded',
};

/**
 * Watch first, then read: an update landing between the two is sent after the state, where it is
 * a harmless repeat, instead of being lost. Ends when the client goes away or the app closes.
 */
async function streamEvents(deps: SessionDocumentsHandlerDeps, tenantId: string, sessionId: string, response: ServerResponse): Promise<void> {
  const early: Uint8Array[] = [];
  let live = false;
  const send = (event: string, data: unknown) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const unwatch = await deps.documents.watch(tenantId, sessionId, (update) => {
    if (live) send('update', { update: encodeBase64(update) });
    else early.push(update);
  });
  try {
    const view = await observeMemory(deps.metrics, 'watch', () => deps.documents.read(tenantId, sessionId), { store: 'document', bytesOf: (read) => read?.bytes });
    if (!view) throw new ApiError('session_document_not_found');
    startEventStream(response);
    deps.streams.add(response);
    send('state', { session_id: sessionId, state: encodeBase64(view.state), state_vector: encodeBase64(view.stateVector) });
    for (const update of early.splice(0)) send('update', { update: encodeBase64(update) });
    live = true;
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    keepAlive.unref();
    await new Promise<void>((resolve) => {
      response.once('close', () => resolve());
      response.once('finish', () => resolve());
    });
    clearInterval(keepAlive);
  } finally {
    deps.streams.delete(response);
    await unwatch();
  }
}
