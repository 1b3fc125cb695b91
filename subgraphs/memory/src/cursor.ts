import type { SessionCursor } from '@switchyard/memory/session';
import { z } from 'zod';

/**
 * Opaque page cursors. A session page's cursor is its last row's (updatedAt, id) as base64url
 * JSON; a vector memory page's is its last id. Cursors come back from clients, so decoding
 * validates them like any other input (null: not a cursor this subgraph issued).
 */
const sessionCursorSchema = z.object({ u: z.iso.datetime(), s: z.string().min(1).max(200) });

export function encodeSessionCursor(cursor: SessionCursor): string {
  return Buffer.from(JSON.stringify({ u: cursor.updatedAt.toISOString(), s: cursor.sessionId })).toString('base64url');
}

export function decodeSessionCursor(text: string): SessionCursor | null {
  if (text.length > 600 || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = sessionCursorSchema.safeParse(value);
  return parsed.success ? { updatedAt: new Date(parsed.data.u), sessionId: parsed.data.s } : null;
}
