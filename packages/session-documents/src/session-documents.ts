/**
 * Session documents on one replica: writes go to the durable store first, then to every other
 * replica over the bus (pub/sub, `SESSION_DOCUMENT_UPDATE_CHANNEL`), where they reach the clients
 * watching that document. Reads always come from the store, so a replica that missed a bus
 * message never serves a stale document; a watcher that may have missed one reconnects and gets
 * the whole state first. Yjs makes repeats and reordering harmless all the way through.
 */
import type { Bus, Unsubscribe } from '@switchyard/bus';
import type { DataClassification } from '@switchyard/db/tenant-settings';
import { SESSION_DOCUMENT_UPDATE_CHANNEL, sessionDocumentUpdateMessageSchema, type SessionDocumentUpdateMessage } from '@switchyard/events/session-documents';
import { checkUpdate, decodeBase64, documentJson, encodeBase64, stateVectorOf, type DocumentJson } from './document';
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits, type DocumentSummary, type SessionDocumentStore } from './store';

export interface SessionDocumentLimits extends DocumentLimits {
  /** Largest single update accepted (bytes, decoded). */
  maxUpdateBytes: number;
}

export const DEFAULT_SESSION_DOCUMENT_LIMITS: Readonly<SessionDocumentLimits> = Object.freeze({ ...DEFAULT_DOCUMENT_LIMITS, maxUpdateBytes: 256 * 1024 });

export interface DocumentView {
  sessionId: string;
  /** The whole document as one Yjs update. */
  state: Uint8Array;
  stateVector: Uint8Array;
  content: DocumentJson;
  bytes: number;
  classification: DataClassification;
  createdAt: Date;
  updatedAt: Date;
}

export type WriteRefusal = 'malformed' | 'empty' | 'update_too_large' | 'quota_exceeded' | 'document_too_large';

export type WriteOutcome =
  | { ok: true; duplicate: boolean; created: boolean; bytes: number }
  | { ok: false; refusal: WriteRefusal; detail: string };

export interface WriteContext {
  /** Data subjects the write is about (recorded for data-subject requests). */
  subjectIds: readonly string[];
  /** Classification of a document this write creates (an existing one keeps the stricter). */
  classification: DataClassification;
}

export interface SessionDocuments {
  readonly limits: Readonly<SessionDocumentLimits>;
  read(tenantId: string, sessionId: string): Promise<DocumentView | null>;
  /** Applies a client's update (base64 text, untrusted: checked here before anything is stored). */
  write(tenantId: string, sessionId: string, updateBase64: string, context: WriteContext): Promise<WriteOutcome>;
  /** Calls `onUpdate` with every update applied to the document from now on, on any replica. */
  watch(tenantId: string, sessionId: string, onUpdate: (update: Uint8Array) => void): Promise<Unsubscribe>;
  list(tenantId: string, limit: number): Promise<DocumentSummary[]>;
  delete(tenantId: string, sessionId: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface SessionDocumentsOptions {
  store: SessionDocumentStore;
  bus: Bus;
  /** Names this replica on the bus (its own messages come back and are skipped). */
  replicaId: string;
  limits?: Partial<SessionDocumentLimits>;
  now?: () => Date;
  /** A write is durable but could not be announced; other replicas' watchers miss it until they reconnect. */
  onPublishFailed?: (error: unknown) => void;
}

const key = (tenantId: string, sessionId: string) => `${tenantId}\u0000${sessionId}`;

export function createSessionDocuments(options: SessionDocumentsOptions): SessionDocuments {
  const limits: SessionDocumentLimits = { ...DEFAULT_SESSION_DOCUMENT_LIMITS, ...options.limits };
  const now = options.now ?? (() => new Date());
  const watchers = new Map<string, Set<(update: Uint8Array) => void>>();
  let subscription: Promise<Unsubscribe> | undefined;

  const notify = (tenantId: string, sessionId: string, update: Uint8Array) => {
    for (const watcher of watchers.get(key(tenantId, sessionId)) ?? []) watcher(update);
  };
  const onMessage = (text: string) => {
    let message: SessionDocumentUpdateMessage;
    try {
      message = sessionDocumentUpdateMessageSchema.parse(JSON.parse(text));
    } catch {
      return;
    }
    if (message.origin === options.replicaId || !watchers.has(key(message.tenantId, message.sessionId))) return;
    const update = decodeBase64(message.update);
    if (update) notify(message.tenantId, message.sessionId, update);
  };
  // One subscription per replica, made when the first client watches, fanned out locally.
  const subscribed = () => (subscription ??= options.bus.subscribe(SESSION_DOCUMENT_UPDATE_CHANNEL, onMessage).catch((error: unknown) => {
    subscription = undefined;
    throw error;
  }));

  return {
    limits,
    async read(tenantId, sessionId) {
      const stored = await options.store.load(tenantId, sessionId);
      if (!stored) return null;
      return {
        sessionId,
        state: stored.state,
        stateVector: stateVectorOf(stored.state),
        content: documentJson(stored.state),
        bytes: stored.bytes,
        classification: stored.classification,
        createdAt: stored.createdAt,
        updatedAt: stored.updatedAt,
      };
    },
    async write(tenantId, sessionId, updateBase64, context) {
      const checked = checkUpdate(updateBase64, limits.maxUpdateBytes);
      if (!checked.ok) return { ok: false, refusal: checked.reason === 'too_large' ? 'update_too_large' : checked.reason, detail: checked.detail };
      const result = await options.store.append({ tenantId, sessionId, update: checked.update, subjectIds: context.subjectIds, classification: context.classification, limits, now: now() });
      switch (result.status) {
        case 'quota_exceeded':
          return { ok: false, refusal: 'quota_exceeded', detail: `this tenant already holds ${result.documents} session documents, its limit is ${result.limit}` };
        case 'document_too_large':
          return { ok: false, refusal: 'document_too_large', detail: `the document takes ${result.bytes} bytes; with this update it would exceed its limit of ${result.limit}` };
        case 'duplicate':
          return { ok: true, duplicate: true, created: false, bytes: result.bytes };
        case 'applied': {
          notify(tenantId, sessionId, checked.update);
          const message: SessionDocumentUpdateMessage = { tenantId, sessionId, update: encodeBase64(checked.update), origin: options.replicaId };
          await options.bus.publish(SESSION_DOCUMENT_UPDATE_CHANNEL, JSON.stringify(message)).catch((error: unknown) => options.onPublishFailed?.(error));
          return { ok: true, duplicate: false, created: result.created, bytes: result.bytes };
        }
      }
    },
    async watch(tenantId, sessionId, onUpdate) {
      await subscribed();
      const id = key(tenantId, sessionId);
      let set = watchers.get(id);
      if (!set) watchers.set(id, (set = new Set()));
      set.add(onUpdate);
      return async () => {
        set.delete(onUpdate);
        if (set.size === 0 && watchers.get(id) === set) watchers.delete(id);
      };
    },
    list: (tenantId, limit) => options.store.list(tenantId, { limit }),
    delete: (tenantId, sessionId) => options.store.delete(tenantId, sessionId),
    async close() {
      watchers.clear();
      const pending = subscription;
      subscription = undefined;
      if (pending) await (await pending.catch(() => async () => {}))();
    },
  };
}
