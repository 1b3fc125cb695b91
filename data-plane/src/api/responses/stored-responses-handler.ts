import type { ServerResponse } from 'node:http';
import type { SessionWindow, StoredResponse } from '@switchyard/memory/session';
import { ApiError } from '../../errors';
import { sendJson } from '../../http/respond';
import { memoryFailure } from '../memory-step';
import { RESPONSE_ID_PATTERN } from './responses-request';
import { storedResponseObject } from './responses-wire';

/** The id in `/v1/responses/{id}` (and what follows it): ours or nothing (an unknown shape is simply not found). */
function responseIdFrom(path: string): { id: string; rest: string } | null {
  const [raw = '', ...rest] = path.slice('/v1/responses/'.length).split('/');
  return RESPONSE_ID_PATTERN.test(raw) ? { id: raw, rest: rest.join('/') } : null;
}

/** The stored input of a response as OpenAI's input items (newest first by default, as OpenAI lists them). */
function inputItems(stored: StoredResponse, order: 'asc' | 'desc') {
  const items = stored.input.map((turn, index) => {
    const id = `msg_${stored.id.slice('resp_'.length)}_in${index}`;
    if (turn.role === 'tool') return { id, type: 'function_call_output' as const, call_id: turn.toolCallId ?? '', output: turn.content, status: 'completed' as const };
    return { id, type: 'message' as const, role: turn.role, status: 'completed' as const, content: [{ type: 'input_text' as const, text: turn.content }] };
  });
  const data = order === 'desc' ? items.reverse() : items;
  return { object: 'list' as const, data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false };
}

function notFound(): ApiError {
  return new ApiError('response_not_found');
}

/**
 * GET and DELETE /v1/responses/{id} and GET /v1/responses/{id}/input_items, in the caller's tenant only: another tenant's id answers 404
 * exactly like an unknown one, so ids cannot be probed across tenants.
 */
export async function handleStoredResponse(memory: SessionWindow, tenantId: string, method: 'GET' | 'DELETE', url: string, response: ServerResponse): Promise<void> {
  const [path = '', query = ''] = url.split('?', 2);
  const target = responseIdFrom(path);
  if (!target || (target.rest !== '' && target.rest !== 'input_items') || (target.rest === 'input_items' && method !== 'GET')) throw notFound();
  const { id } = target;
  if (target.rest === 'input_items') {
    const stored = await memory.getResponse(tenantId, id).catch(memoryFailure);
    if (!stored) throw notFound();
    return sendJson(response, 200, inputItems(stored, new URLSearchParams(query).get('order') === 'asc' ? 'asc' : 'desc'));
  }
  if (method === 'DELETE') {
    const existed = await memory.deleteResponse(tenantId, id).catch(memoryFailure);
    if (!existed) throw notFound();
    return sendJson(response, 200, { id, object: 'response.deleted', deleted: true });
  }
  const stored = await memory.getResponse(tenantId, id).catch(memoryFailure);
  if (!stored) throw notFound();
  sendJson(response, 200, storedResponseObject(stored, { maxOutputTokens: null, temperature: null, topP: null, user: null, tools: [], toolChoice: 'auto' }));
}
