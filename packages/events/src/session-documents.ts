import { z } from 'zod';

/**
 * Pub/sub: one Yjs update applied to a tenant's session document, fanned out to every data-plane
 * replica so clients watching the document there (its event stream) see it at once. The update
 * is already durable when this is published; pub/sub is at most once, so a replica that missed a
 * message is healed by the next read (documents are always read from the durable store) and a
 * watcher by reconnecting (its first frame is the whole state). Yjs updates are idempotent and
 * commutative, so a message seen twice or out of order changes nothing.
 */
export const SESSION_DOCUMENT_UPDATE_CHANNEL = 'switchyard:session-document.update';

export const sessionDocumentUpdateMessageSchema = z.object({
  tenantId: z.string().min(1).max(100),
  sessionId: z.string().min(1).max(128),
  /** The Yjs update (v1 encoding), base64. */
  update: z.string().min(1),
  /** The replica that applied it (it has already told its own watchers). */
  origin: z.string().min(1).max(100),
});
export type SessionDocumentUpdateMessage = z.output<typeof sessionDocumentUpdateMessageSchema>;
