import { z } from 'zod';

/**
 * The position after one row in newest-first order: (startedAt, requestId) is unique per tenant
 * and never changes, so a page boundary is stable while new rows arrive. Opaque to clients
 * (base64url of JSON) but not secret: it is validated on the way back in like any input, and a
 * tenant's cursor only ever selects rows under that tenant's row-level security.
 */
export interface RequestLogCursor {
  startedAt: Date;
  requestId: string;
}

const MAX_CURSOR_LENGTH = 512;
const cursorSchema = z.object({ t: z.string().datetime(), r: z.string().min(1).max(200) }).strict();

export function encodeCursor(cursor: RequestLogCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.startedAt.toISOString(), r: cursor.requestId })).toString('base64url');
}

/** The cursor, or null when it is not one this API issued (wrong encoding, shape, date or size). */
export function decodeCursor(text: string): RequestLogCursor | null {
  if (text.length === 0 || text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success) return null;
  const startedAt = new Date(parsed.data.t);
  return Number.isNaN(startedAt.getTime()) ? null : { startedAt, requestId: parsed.data.r };
}
