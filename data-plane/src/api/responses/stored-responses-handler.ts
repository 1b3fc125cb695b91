import type { ServerResponse } from 'node:http';
import type { SessionWindow } from '@switchyard/memory/session';
import { ApiError } from '../../errors';
import { sendJson } from '../../http/respond';
import { memoryFailure } from '../memory-step';
import { RESPONSE_ID_PATTERN } from './responses-request';
import { storedResponseObject } from './responses-wire';

/** The id in `/v1/responses/{id}`: ours or nothing (an unknown shape is simply not found). */
function responseIdFrom(path: string): string | null {
  const raw = path.slice('/v1/responses/'.length);
  return RESPONSE_ID_PATTERN.test(raw) ? raw : null;
}

function notFound(): ApiError {
  return new ApiError('response_not_found');
}

/**
 * GET and DELETE /v1/responses/{id}, in the caller's tenant only: another tenant's id answers 404
 * exactly like an unknown one, so ids cannot be probed across tenants.
 */
export async function handleStoredResponse(memory: SessionWindow, tenantId: string, method: 'GET' | 'DELETE', path: string, response: ServerResponse): Promise<void> {
  const id = responseIdFrom(path);
  if (!id) throw notFound();
  if (method === 'DELETE') {
    const existed = await memory.deleteResponse(tenantId, id).catch(memoryFailure);
    if (!existed) throw notFound();
    return sendJson(response, 200, { id, object: 'response.deleted', deleted: true });
  }
  const stored = await memory.getResponse(tenantId, id).catch(memoryFailure);
  if (!stored) throw notFound();
  sendJson(response, 200, storedResponseObject(stored, { maxOutputTokens: null, temperature: null, topP: null, user: null, tools: [], toolChoice: 'auto' }));
}
