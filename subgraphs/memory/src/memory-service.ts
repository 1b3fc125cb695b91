import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Bus } from '@switchyard/bus';
import type { Principal } from '@switchyard/identity';
import { AUDIT_STREAM, type AuditEventInput } from '@switchyard/events/audit';
import type { SessionDirectory, SessionSummary, SessionTurn, SessionWindow, StoredResponse } from '@switchyard/memory/session';
import { COLLECTION_PATTERN, isMemoryId, MAX_LIST_LIMIT, type CollectionSummary, type MemoryRecord, type VectorMemory } from '@switchyard/vector-memory';
import { auditActor } from '@switchyard/subgraph-kit/audit-actor';
import { parseInput } from '@switchyard/subgraph-kit/parse-input';
import { canManageMemory } from './authorization';
import { decodeSessionCursor, encodeSessionCursor } from './cursor';
import { badUserInput, forbidden, notFound } from './errors';
import type { Logger } from './logger';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface SessionDetail {
  session: SessionSummary & { tenantId: string };
  turns: SessionTurn[];
  responses: StoredResponse[];
}

/** Authorization, validation and audit around the memory fabric's ports. */
export interface MemoryService {
  sessions(tenantId: string, first: number, after: string | null | undefined, principal: Principal): Promise<Page<SessionSummary & { tenantId: string }>>;
  session(tenantId: string, id: string, principal: Principal): Promise<SessionDetail>;
  deleteSession(tenantId: string, id: string, principal: Principal): Promise<boolean>;
  collections(tenantId: string, principal: Principal): Promise<CollectionSummary[]>;
  memories(tenantId: string, collection: string | null | undefined, first: number, after: string | null | undefined, principal: Principal): Promise<Page<MemoryRecord>>;
  deleteMemory(tenantId: string, id: string, principal: Principal): Promise<boolean>;
  deleteCollection(tenantId: string, collection: string, principal: Principal): Promise<number>;
}

export interface MemoryServiceDeps {
  /** The session window as the data plane sees it (fast store behind the durable snapshot), so a delete reaches both. */
  sessions: SessionWindow;
  /** Lists and inspects sessions (the durable snapshot holds every session). */
  directory: SessionDirectory;
  /** The vector memory port: its deletes reach every replica's index. */
  vectors: VectorMemory;
  bus: Bus;
  logger: Logger;
  /** Turns shown when inspecting a session (the window's own limit). */
  maxTurns?: number;
  now?: () => Date;
}

const tenantIdSchema = z.uuid('Must be a tenant id (UUID).');
// The data plane accepts session ids of 1-200 characters (x-switchyard-session, or a resp_ id).
const sessionIdSchema = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const memoryIdSchema = z.string().refine(isMemoryId, 'Must be a memory id (lower-case UUID).');
const collectionSchema = z.string().regex(COLLECTION_PATTERN, 'Must be a collection name (1-64 letters, digits, `_`, `.` or `-`).');
const pageSizeSchema = z.number().int().min(1, 'must be at least 1').max(200, 'must be at most 200');
const MAX_RESPONSES_SHOWN = 100;

export function createMemoryService(deps: MemoryServiceDeps): MemoryService {
  const now = deps.now ?? (() => new Date());
  const maxTurns = deps.maxTurns ?? 100;

  /** Parses the tenant id and checks the caller may manage its memory (before anything else is looked at). */
  const authorize = (tenantId: unknown, principal: Principal): string => {
    const valid = parseInput(tenantIdSchema, tenantId, 'tenantId');
    if (!canManageMemory(principal, valid)) throw forbidden("Only a tenant admin of this tenant (or a platform admin) may see or delete its sessions and memories.");
    return valid;
  };

  const audit = async (principal: Principal, tenantId: string, action: string, payload: Record<string, unknown>) => {
    const event: AuditEventInput = {
      idempotencyKey: `${action}:${tenantId}:${randomUUID()}`,
      tenantId,
      actor: auditActor(principal),
      subjectId: principal.subject,
      action,
      // The payload names what went (ids, counts), never what it said.
      dataClassification: 'internal',
      occurredAt: now().toISOString(),
      payload,
    };
    await deps.bus.append(AUDIT_STREAM, JSON.stringify(event));
  };

  return {
    async sessions(tenantId, first, after, principal) {
      const valid = authorize(tenantId, principal);
      const limit = parseInput(pageSizeSchema, first, 'first');
      let before;
      if (after !== null && after !== undefined) {
        const decoded = decodeSessionCursor(after);
        if (!decoded) throw badUserInput('Invalid after: not a cursor from a previous page.', 'after');
        before = decoded;
      }
      // One more than asked tells whether another page follows.
      const rows = await deps.directory.listSessions(valid, { limit: limit + 1, ...(before ? { before } : {}) });
      const items = rows.slice(0, limit).map((row) => ({ ...row, tenantId: valid }));
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last ? encodeSessionCursor({ updatedAt: last.updatedAt, sessionId: last.sessionId }) : null };
    },

    async session(tenantId, id, principal) {
      const valid = authorize(tenantId, principal);
      const sessionId = parseInput(sessionIdSchema, id, 'id');
      const summary = await deps.directory.getSession(valid, sessionId);
      if (!summary) throw notFound('This tenant has no session with that id.');
      const [turns, responses] = await Promise.all([deps.sessions.recentTurns(valid, sessionId, maxTurns), deps.directory.sessionResponses(valid, sessionId, MAX_RESPONSES_SHOWN)]);
      return { session: { ...summary, tenantId: valid }, turns, responses };
    },

    async deleteSession(tenantId, id, principal) {
      const valid = authorize(tenantId, principal);
      const sessionId = parseInput(sessionIdSchema, id, 'id');
      const summary = await deps.directory.getSession(valid, sessionId);
      // The port deletes from the fast store and the snapshot; a session only the fast store still has (its snapshot write failed) goes too.
      const existed = await deps.sessions.deleteSession(valid, sessionId);
      if (!existed && !summary) throw notFound('This tenant has no session with that id.');
      await audit(principal, valid, 'memory.session.delete', { sessionId, turns: summary?.turns ?? null, responses: summary?.responses ?? null });
      return true;
    },

    async collections(tenantId, principal) {
      return deps.vectors.collections(authorize(tenantId, principal));
    },

    async memories(tenantId, collection, first, after, principal) {
      const valid = authorize(tenantId, principal);
      const limit = parseInput(pageSizeSchema.max(MAX_LIST_LIMIT), first, 'first');
      const validCollection = collection === null || collection === undefined ? undefined : parseInput(collectionSchema, collection, 'collection');
      const validAfter = after === null || after === undefined ? undefined : parseInput(memoryIdSchema, after, 'after');
      const rows = await deps.vectors.list(valid, { limit: limit + 1, ...(validCollection ? { collection: validCollection } : {}), ...(validAfter ? { after: validAfter } : {}) });
      const items = rows.slice(0, limit);
      return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
    },

    async deleteMemory(tenantId, id, principal) {
      const valid = authorize(tenantId, principal);
      const memoryId = parseInput(memoryIdSchema, id, 'id');
      const memory = await deps.vectors.get(valid, memoryId);
      if (!memory || !(await deps.vectors.remove(valid, memoryId))) throw notFound('This tenant has no memory with that id.');
      await audit(principal, valid, 'memory.vector.delete', { memoryId, collection: memory.collection, subject: memory.subject });
      return true;
    },

    async deleteCollection(tenantId, collection, principal) {
      const valid = authorize(tenantId, principal);
      const name = parseInput(collectionSchema, collection, 'collection');
      const removed = await deps.vectors.removeCollection(valid, name);
      if (removed === 0) throw notFound('This tenant has no collection by that name.');
      await audit(principal, valid, 'memory.collection.delete', { collection: name, memories: removed });
      deps.logger.info({ tenantId: valid, collection: name, memories: removed }, 'vector memory collection deleted');
      return removed;
    },
  };
}
