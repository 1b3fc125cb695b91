/**
 * Session documents are Yjs documents (CRDTs): replicas and clients exchange updates, and any
 * set of updates merged in any order, any number of times, gives the same document. This module
 * is pure: validating an untrusted update, merging updates into a state, and the views of a
 * state (JSON, state vector, the difference a client is missing).
 */
import * as Y from 'yjs';

export type UpdateRefusal = 'malformed' | 'too_large' | 'empty';

export type CheckedUpdate = { ok: true; update: Uint8Array } | { ok: false; reason: UpdateRefusal; detail: string };

/** Largest base64 text of an update we decode at all, given the byte limit (4 characters per 3 bytes). */
export function base64LengthLimit(maxUpdateBytes: number): number {
  return Math.ceil(maxUpdateBytes / 3) * 4;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (Buffer.from would skip junk characters and accept anything). */
export function decodeBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return null;
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * An update from a client (base64 text), checked before it touches any stored state: size first
 * (nothing larger is decoded), then strict base64, then the Yjs decoding and a trial application
 * to an empty document, so a stored update always merges. An update with nothing in it (no
 * structs, no deletions) is refused as `empty`: storing it would only grow the log.
 */
export function checkUpdate(base64: string, maxUpdateBytes: number): CheckedUpdate {
  if (base64.length > base64LengthLimit(maxUpdateBytes)) return { ok: false, reason: 'too_large', detail: `the update is larger than ${maxUpdateBytes} bytes` };
  const update = decodeBase64(base64);
  if (!update) return { ok: false, reason: 'malformed', detail: 'the update is not base64 text' };
  if (update.byteLength > maxUpdateBytes) return { ok: false, reason: 'too_large', detail: `the update is larger than ${maxUpdateBytes} bytes` };
  try {
    const decoded = Y.decodeUpdate(update);
    if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) return { ok: false, reason: 'empty', detail: 'the update changes nothing' };
    const trial = new Y.Doc({ gc: true });
    Y.applyUpdate(trial, update);
    trial.destroy();
    // Merging is what the store does with it: it must succeed too.
    Y.mergeUpdates([update]);
  } catch {
    return { ok: false, reason: 'malformed', detail: 'the update is not a Yjs update (v1 encoding)' };
  }
  return { ok: true, update };
}

/** One update holding everything the given updates hold (order and repeats do not matter). */
export function mergeUpdates(updates: readonly Uint8Array[]): Uint8Array {
  if (updates.length === 1 && updates[0]) return updates[0];
  return Y.mergeUpdates(updates.length === 0 ? [emptyState()] : [...updates]);
}

/** The update of an empty document. */
export function emptyState(): Uint8Array {
  return Y.encodeStateAsUpdate(new Y.Doc());
}

/**
 * A state rebuilt through a document: merging keeps deleted content's metadata and every update
 * ever merged; applying to a document and re-encoding garbage-collects it (compaction).
 */
export function compactState(updates: readonly Uint8Array[]): Uint8Array {
  const doc = new Y.Doc({ gc: true });
  try {
    doc.transact(() => {
      for (const update of updates) Y.applyUpdate(doc, update);
    });
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

export function stateVectorOf(state: Uint8Array): Uint8Array {
  return Y.encodeStateVectorFromUpdate(state);
}

/** What a client that has `stateVector` is missing of `state`. */
export function missingSince(state: Uint8Array, stateVector: Uint8Array): Uint8Array {
  return Y.diffUpdate(state, stateVector);
}

export type DocumentJson = Record<string, unknown>;

/**
 * The document's content as JSON, one member per top-level type. Yjs updates do not say what kind
 * a top-level type is (a client names it when it calls getText/getMap/getArray), so it is read
 * from the content: map entries make a map; strings or formatting a text (a string); XML nodes an
 * XML fragment (its XML text); anything else in a sequence an array. A type with no content left
 * is null.
 */
export function documentJson(state: Uint8Array): DocumentJson {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, state);
    const json: DocumentJson = {};
    for (const name of [...doc.share.keys()].sort()) json[name] = rootJson(doc, name);
    return json;
  } finally {
    doc.destroy();
  }
}

function rootJson(doc: Y.Doc, name: string): unknown {
  const root = doc.share.get(name);
  if (!root) return null;
  let item = root._start;
  while (item !== null && (item.deleted || item.content instanceof Y.ContentDeleted)) item = item.right;
  if (item !== null) {
    const content = item.content;
    if (content instanceof Y.ContentString || content instanceof Y.ContentFormat || content instanceof Y.ContentEmbed) return doc.getText(name).toString();
    if (content instanceof Y.ContentType && (content.type instanceof Y.XmlElement || content.type instanceof Y.XmlText)) return doc.getXmlFragment(name).toString();
    return doc.getArray(name).toJSON();
  }
  if ([...root._map.values()].some((entry) => !entry.deleted)) return doc.getMap(name).toJSON();
  return null;
}
