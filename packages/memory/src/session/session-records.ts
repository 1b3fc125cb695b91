import { z } from 'zod';
import type { SessionTurn, SessionWindowLimits, StoredResponse } from './session-window';

/**
 * Pure rules every implementation shares: how big a record is, how a window is trimmed, and how
 * stored JSON is read back (validated: Redis and Postgres are outside the process, so what comes
 * back is checked like any other input).
 */

/** A turn's size as stored: the UTF-8 bytes of its JSON. */
export function turnBytes(turn: SessionTurn): number {
  return Buffer.byteLength(JSON.stringify(turn));
}

export function responseBytes(response: StoredResponse): number {
  return Buffer.byteLength(JSON.stringify(response));
}

/**
 * The newest turns within `maxTurns` and `maxWindowBytes`, oldest first. The newest turn always
 * stays, so a window is never emptied by one long message.
 */
export function trimWindow(turns: readonly SessionTurn[], limits: Pick<SessionWindowLimits, 'maxTurns' | 'maxWindowBytes'>): SessionTurn[] {
  const kept: SessionTurn[] = [];
  let bytes = 0;
  for (let index = turns.length - 1; index >= 0 && kept.length < limits.maxTurns; index -= 1) {
    const turn = turns[index]!;
    const size = turnBytes(turn);
    if (kept.length > 0 && bytes + size > limits.maxWindowBytes) break;
    kept.push(turn);
    bytes += size;
  }
  return kept.reverse();
}

export const sessionTurnSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.string(),
  toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })).optional(),
  toolCallId: z.string().optional(),
});

export const storedResponseSchema = z.object({
  id: z.string().min(1),
  sessionId: z.string().min(1),
  previousResponseId: z.string().nullable(),
  createdAt: z.number(),
  model: z.string(),
  instructions: z.string().nullable(),
  status: z.enum(['completed', 'incomplete']),
  input: z.array(sessionTurnSchema),
  outputText: z.string(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }),
  context: z.array(sessionTurnSchema),
  metadata: z.record(z.string(), z.string()).nullable(),
});

/** Parses a stored response's JSON; null when it is not one (corrupt or foreign data is a miss, never a crash). */
export function parseStoredResponse(value: unknown): StoredResponse | null {
  const parsed = storedResponseSchema.safeParse(typeof value === 'string' ? safeJson(value) : value);
  return parsed.success ? parsed.data : null;
}

export function parseTurn(value: unknown): SessionTurn | null {
  const parsed = sessionTurnSchema.safeParse(typeof value === 'string' ? safeJson(value) : value);
  return parsed.success ? parsed.data : null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
