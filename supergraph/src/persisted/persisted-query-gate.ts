import type { PersistedManifest } from './persisted-manifest';
import { operationHash } from './persisted-manifest';

/**
 * The persisted-operation allowlist (DESIGN.md §4).
 * - `off`: requests go to Apollo untouched.
 * - `allow`: `extensions.persistedQuery.sha256Hash` is resolved from the manifest (unknown hashes
 *   and documents that do not match their hash are refused); full documents are accepted.
 * - `require`: as `allow`, and clients named in `requiredClients` (header
 *   `apollographql-client-name`, e.g. `switchyard-console`) may send only manifest operations.
 *   The client name is self-declared: this pins the console's own server-side proxy to its
 *   operations; API integrators keep sending full documents.
 */
export type PersistedQueryMode = 'off' | 'allow' | 'require';

export interface PersistedQueryPolicy {
  mode: PersistedQueryMode;
  manifest: PersistedManifest;
  requiredClients: ReadonlySet<string>;
}

export type GateResult = { ok: true; body: unknown } | { ok: false; message: string };

export const CLIENT_NAME_HEADER = 'apollographql-client-name';

interface PersistedQueryExtension {
  sha256Hash: unknown;
}

function persistedQueryOf(body: Record<string, unknown>): PersistedQueryExtension | null {
  const extensions = body['extensions'];
  if (typeof extensions !== 'object' || extensions === null) return null;
  const persisted = (extensions as Record<string, unknown>)['persistedQuery'];
  return typeof persisted === 'object' && persisted !== null ? (persisted as PersistedQueryExtension) : null;
}

function withoutPersistedQuery(body: Record<string, unknown>, query: string): Record<string, unknown> {
  const extensions = { ...(body['extensions'] as Record<string, unknown>) };
  delete extensions['persistedQuery'];
  return { ...body, query, extensions };
}

/**
 * Decides one HTTP GraphQL request. `body` is the parsed POST body (or null for GET); the result
 * body is what Apollo should execute: a persisted request comes back with its document filled in.
 */
export function gatePersistedQuery(policy: PersistedQueryPolicy, request: { method: string; body: unknown; clientName: string | undefined }): GateResult {
  if (policy.mode === 'off') return { ok: true, body: request.body };
  const required = policy.mode === 'require' && request.clientName !== undefined && policy.requiredClients.has(request.clientName);
  if (request.method !== 'POST' || typeof request.body !== 'object' || request.body === null || Array.isArray(request.body)) {
    return required ? { ok: false, message: `Client ${request.clientName ?? ''} must POST persisted operations as JSON.` } : { ok: true, body: request.body };
  }
  const body = request.body as Record<string, unknown>;
  const persisted = persistedQueryOf(body);
  if (!persisted) {
    if (!required) return { ok: true, body };
    const query = body['query'];
    if (typeof query === 'string' && policy.manifest.has(operationHash(query))) return { ok: true, body };
    return { ok: false, message: `Client ${request.clientName ?? ''} may send only its persisted operations; this document is not in the allowlist.` };
  }
  const hash = persisted.sha256Hash;
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return { ok: false, message: 'extensions.persistedQuery.sha256Hash must be 64 lower-case hex digits.' };
  const document = policy.manifest.get(hash);
  if (document === undefined) return { ok: false, message: `No persisted operation has hash ${hash}; send a document from the allowlist.` };
  const query = body['query'];
  if (query !== undefined && query !== document) return { ok: false, message: 'The document sent does not match the persisted operation of that hash.' };
  return { ok: true, body: withoutPersistedQuery(body, document) };
}
