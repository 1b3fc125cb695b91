import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { AUDIT_STREAM, auditEventSchema } from '@switchyard/events/audit';
import type { SessionWindow, StoredResponse } from '@switchyard/memory/session';
import { errorCodes, principalOf, PLATFORM_ADMIN, type GraphQLReply, type GraphQLRequest } from '@switchyard/subgraph-kit/testing';
import type { VectorMemory } from '@switchyard/vector-memory';

/**
 * What every wiring of the memory subgraph must do, over GraphQL on a loopback port: the PGlite
 * embedded default (in-process window, pgvector) and Postgres + Redis (HNSW replicas).
 */
export interface MemorySubgraphFixture {
  db: Database;
  request: GraphQLRequest<GraphQLReply>;
  /** What the data plane writes through (the fast store behind the snapshot). */
  sessions: SessionWindow;
  /** The fast store alone: a delete must reach it, not only the snapshot. */
  fast: SessionWindow;
  vectors: VectorMemory;
  /** Another replica's vector memory over the same database (its index must drop what is deleted), when the wiring has replicas. */
  peerVectors?: VectorMemory;
  appended: Array<{ stream: string; payload: string }>;
  bus: Bus;
}

const SESSIONS = `query S($t: ID!, $first: Int!, $after: String) { memorySessions(tenantId: $t, first: $first, after: $after) { items { id tenantId turns responses bytes updatedAt expiresAt } nextCursor } }`;
const SESSION = `query One($t: ID!, $id: ID!) { memorySession(tenantId: $t, id: $id) { session { id turns responses } turns { role content toolCallNames }
  responses { id previousResponseId model status outputText inputTokens outputTokens createdAt input { role content } } } }`;
const DELETE_SESSION = `mutation D($t: ID!, $id: ID!) { deleteMemorySession(tenantId: $t, id: $id) }`;
const COLLECTIONS = `query C($t: ID!) { memoryCollections(tenantId: $t) { name memories dimensions embeddingModel lastAddedAt } }`;
const MEMORIES = `query M($t: ID!, $c: String, $first: Int!, $after: String) { vectorMemories(tenantId: $t, collection: $c, first: $first, after: $after) { items { id collection text subject dimensions embeddingModel createdAt } nextCursor } }`;
const DELETE_MEMORY = `mutation DM($t: ID!, $id: ID!) { deleteVectorMemory(tenantId: $t, id: $id) }`;
const DELETE_COLLECTION = `mutation DC($t: ID!, $c: String!) { deleteMemoryCollection(tenantId: $t, collection: $c) }`;

export function runMemorySubgraphScenarios(name: string, fixture: () => MemorySubgraphFixture) {
  const newTenant = async () => (await fixture().db.withPlatform((tx) => tx.tenant.create({ data: { slug: `mem-${randomUUID().slice(0, 12)}`, name: 'memory' }, select: { id: true } }))).id;
  const response = (sessionId: string, overrides: Partial<StoredResponse> = {}): StoredResponse => ({
    id: `resp_${randomUUID().replaceAll('-', '')}`,
    sessionId,
    previousResponseId: null,
    createdAt: 1_765_000_000,
    model: 'mock-gpt',
    instructions: null,
    status: 'completed',
    input: [{ role: 'user', content: 'what is my name?' }],
    outputText: 'You are Ada.',
    usage: { inputTokens: 7, outputTokens: 4 },
    context: [{ role: 'user', content: 'what is my name?' }, { role: 'assistant', content: 'You are Ada.' }],
    metadata: null,
    ...overrides,
  });
  const audits = () =>
    fixture()
      .appended.filter((entry) => entry.stream === AUDIT_STREAM)
      .map((entry) => auditEventSchema.parse(JSON.parse(entry.payload)));
  const embedding = (hot: number) => Array.from({ length: 8 }, (_, i) => (i === hot ? 1 : 0.01));

  describe(`memory subgraph (${name})`, () => {
    it('lists sessions newest first in pages, inspects one, and deletes it from the fast store and the snapshot (audited)', async () => {
      const { request, sessions, fast } = fixture();
      const tenantId = await newTenant();
      const admin = principalOf(['tenant_admin'], tenantId, 'admin-a');
      const first = response('conv-1');
      await sessions.putResponse(tenantId, first);
      await sessions.putResponse(tenantId, response('conv-1', { previousResponseId: first.id, outputText: 'Still Ada.' }));
      await sessions.appendTurns(tenantId, 'conv-2', [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello', toolCalls: [{ id: 'c1', name: 'lookup', arguments: '{}' }] }]);
      await sessions.appendTurns(tenantId, 'conv-3', [{ role: 'user', content: 'newest' }]);

      const page1 = await request(admin, SESSIONS, { t: tenantId, first: 2 });
      expect(page1.body.errors).toBeUndefined();
      const one = page1.body.data?.['memorySessions'] as { items: Array<{ id: string; turns: number; responses: number; tenantId: string; bytes: number }>; nextCursor: string | null };
      expect(one.items.map((s) => s.id)).toEqual(['conv-3', 'conv-2']);
      expect(one.items[1]).toMatchObject({ turns: 2, responses: 0, tenantId });
      expect(one.nextCursor).not.toBeNull();
      const page2 = (await request(admin, SESSIONS, { t: tenantId, first: 2, after: one.nextCursor })).body.data?.['memorySessions'] as typeof one;
      expect(page2.items.map((s) => s.id)).toEqual(['conv-1']);
      expect(page2.items[0]).toMatchObject({ turns: 0, responses: 2 });
      expect(page2.nextCursor).toBeNull();

      const inspected = await request(admin, SESSION, { t: tenantId, id: 'conv-2' });
      expect(inspected.body.data?.['memorySession']).toMatchObject({
        session: { id: 'conv-2', turns: 2, responses: 0 },
        turns: [{ role: 'user', content: 'hi', toolCallNames: [] }, { role: 'assistant', content: 'hello', toolCallNames: ['lookup'] }],
        responses: [],
      });
      const withResponses = (await request(admin, SESSION, { t: tenantId, id: 'conv-1' })).body.data?.['memorySession'] as { responses: Array<{ id: string; inputTokens: number; createdAt: string }> };
      expect(withResponses.responses).toHaveLength(2);
      expect(withResponses.responses.map((r) => r.id)).toContain(first.id);
      expect(withResponses.responses[0]).toMatchObject({ inputTokens: 7, createdAt: new Date(1_765_000_000_000).toISOString() });

      expect((await request(admin, DELETE_SESSION, { t: tenantId, id: 'conv-1' })).body.data?.['deleteMemorySession']).toBe(true);
      expect(await fast.getResponse(tenantId, first.id)).toBeNull();
      expect(await sessions.getResponse(tenantId, first.id)).toBeNull(); // not restored from the snapshot either
      expect(await fixture().db.withTenant(tenantId, (tx) => tx.memoryResponse.count({ where: { sessionId: 'conv-1' } }))).toBe(0);
      expect((await request(admin, DELETE_SESSION, { t: tenantId, id: 'conv-2' })).body.data?.['deleteMemorySession']).toBe(true);
      expect(await fast.recentTurns(tenantId, 'conv-2', 10)).toEqual([]);
      expect(await sessions.recentTurns(tenantId, 'conv-2', 10)).toEqual([]);
      // Deleting again: nothing by that id any more.
      expect(errorCodes(await request(admin, DELETE_SESSION, { t: tenantId, id: 'conv-1' }))).toEqual(['NOT_FOUND']);
      const remaining = (await request(admin, SESSIONS, { t: tenantId, first: 10 })).body.data?.['memorySessions'] as typeof one;
      expect(remaining.items.map((s) => s.id)).toEqual(['conv-3']);
      const deletes = audits().filter((a) => a.action === 'memory.session.delete' && a.tenantId === tenantId);
      expect(deletes.map((a) => [a.actor, a.payload['sessionId']])).toEqual([
        ['user:admin-a', 'conv-1'],
        ['user:admin-a', 'conv-2'],
      ]);
    });

    it("refuses other tenants, viewers and the unauthenticated, and answers another tenant's session id as NOT_FOUND", async () => {
      const { request, sessions, fast } = fixture();
      const [a, b] = [await newTenant(), await newTenant()];
      const stored = response('secret-conv');
      await sessions.putResponse(a, stored);
      const adminB = principalOf(['tenant_admin'], b, 'admin-b');
      expect(errorCodes(await request(adminB, SESSIONS, { t: a, first: 10 }))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await request(adminB, SESSION, { t: a, id: 'secret-conv' }))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await request(adminB, DELETE_SESSION, { t: a, id: 'secret-conv' }))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await request(principalOf(['viewer'], a, 'viewer-a'), SESSIONS, { t: a, first: 10 }))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await request(null, SESSIONS, { t: a, first: 10 }))).toEqual(['UNAUTHENTICATED']);
      // B's admin naming A's session under B's own tenant: simply not found, and nothing happens to it.
      expect(errorCodes(await request(adminB, SESSION, { t: b, id: 'secret-conv' }))).toEqual(['NOT_FOUND']);
      expect(errorCodes(await request(adminB, DELETE_SESSION, { t: b, id: 'secret-conv' }))).toEqual(['NOT_FOUND']);
      expect(await fast.getResponse(a, stored.id)).toEqual(stored);
      // A platform admin may see any tenant's.
      expect(((await request(PLATFORM_ADMIN, SESSIONS, { t: a, first: 10 })).body.data?.['memorySessions'] as { items: unknown[] }).items).toHaveLength(1);
    });

    it('refuses malformed ids, page sizes and cursors with BAD_USER_INPUT naming the field', async () => {
      const { request } = fixture();
      const tenantId = await newTenant();
      const admin = principalOf(['tenant_admin'], tenantId);
      const bad = async (query: string, variables: Record<string, unknown>, field: string) => {
        const reply = await request(admin, query, variables);
        expect(errorCodes(reply)).toEqual(['BAD_USER_INPUT']);
        expect((reply.body.errors?.[0]?.extensions as { field?: string }).field).toBe(field);
      };
      await bad(SESSIONS, { t: 'not-a-uuid', first: 10 }, 'tenantId');
      await bad(SESSIONS, { t: tenantId, first: 0 }, 'first');
      await bad(SESSIONS, { t: tenantId, first: 10_000 }, 'first');
      await bad(SESSIONS, { t: tenantId, first: 10, after: 'garbage!' }, 'after');
      await bad(SESSIONS, { t: tenantId, first: 10, after: Buffer.from('{"u":1}').toString('base64url') }, 'after');
      await bad(SESSION, { t: tenantId, id: 'x'.repeat(201) }, 'id');
      await bad(DELETE_SESSION, { t: tenantId, id: '' }, 'id');
      await bad(DELETE_MEMORY, { t: tenantId, id: 'not-a-uuid' }, 'id');
      await bad(DELETE_COLLECTION, { t: tenantId, c: '../etc' }, 'collection');
      await bad(MEMORIES, { t: tenantId, c: 'has space', first: 10 }, 'collection');
      await bad(MEMORIES, { t: tenantId, first: 10, after: "'; drop table" }, 'after');
    });

    it('lists collections and memories (never the vectors), deletes a memory and a whole collection for every replica, cross-tenant as NOT_FOUND', async () => {
      const { request, vectors, peerVectors } = fixture();
      const [tenantId, other] = [await newTenant(), await newTenant()];
      const admin = principalOf(['tenant_admin'], tenantId, 'admin-v');
      const added: Array<{ id: string; collection: string; text: string; embedding: number[]; embeddingModel: string; subject: string | null }> = [];
      for (let i = 0; i < 3; i += 1) {
        const memory = { id: randomUUID(), collection: 'facts', text: `fact ${i}`, embedding: embedding(i), embeddingModel: 'mock-embed', subject: i === 0 ? 'user-7' : null };
        await vectors.add(tenantId, memory);
        added.push(memory);
      }
      await vectors.add(tenantId, { id: randomUUID(), collection: 'prefs', text: 'likes tea', embedding: embedding(4), embeddingModel: 'mock-embed' });
      const foreign = { id: randomUUID(), collection: 'facts', text: 'other tenant', embedding: embedding(1), embeddingModel: 'mock-embed' };
      await vectors.add(other, foreign);

      const collections = (await request(admin, COLLECTIONS, { t: tenantId })).body.data?.['memoryCollections'];
      expect(collections).toMatchObject([
        { name: 'facts', memories: 3, dimensions: 8, embeddingModel: 'mock-embed' },
        { name: 'prefs', memories: 1, dimensions: 8 },
      ]);
      const page1 = (await request(admin, MEMORIES, { t: tenantId, c: 'facts', first: 2 })).body.data?.['vectorMemories'] as { items: Array<{ id: string; text: string; subject: string | null }>; nextCursor: string | null };
      expect(page1.items).toHaveLength(2);
      const page2 = (await request(admin, MEMORIES, { t: tenantId, c: 'facts', first: 2, after: page1.nextCursor })).body.data?.['vectorMemories'] as typeof page1;
      expect([...page1.items, ...page2.items].map((m) => m.id).sort()).toEqual(added.map((m) => m.id).sort());
      expect(page2.nextCursor).toBeNull();
      expect([...page1.items, ...page2.items].find((m) => m.id === added[0]!.id)?.subject).toBe('user-7');
      // The embedding is not part of the schema at all.
      expect(errorCodes(await request(admin, `query { vectorMemories(tenantId: "${tenantId}") { items { embedding } } }`, {}))).toEqual(['GRAPHQL_VALIDATION_FAILED']);

      // Warm the other replica's index, then delete through the subgraph: the replica stops finding it.
      if (peerVectors) expect((await peerVectors.search(tenantId, 'facts', embedding(1), 1))[0]?.memory.id).toBe(added[1]!.id);
      expect((await request(admin, DELETE_MEMORY, { t: tenantId, id: added[1]!.id })).body.data?.['deleteVectorMemory']).toBe(true);
      expect(await vectors.get(tenantId, added[1]!.id)).toBeNull();
      if (peerVectors) await expect.poll(async () => (await peerVectors.search(tenantId, 'facts', embedding(1), 3)).map((hit) => hit.memory.id)).not.toContain(added[1]!.id);
      // Another tenant's memory id: not found, and it stays.
      expect(errorCodes(await request(admin, DELETE_MEMORY, { t: tenantId, id: foreign.id }))).toEqual(['NOT_FOUND']);
      expect(await vectors.get(other, foreign.id)).not.toBeNull();

      expect((await request(admin, DELETE_COLLECTION, { t: tenantId, c: 'facts' })).body.data?.['deleteMemoryCollection']).toBe(2);
      expect(await vectors.search(tenantId, 'facts', embedding(0), 5)).toEqual([]);
      if (peerVectors) await expect.poll(async () => peerVectors.search(tenantId, 'facts', embedding(0), 5)).toEqual([]);
      expect(errorCodes(await request(admin, DELETE_COLLECTION, { t: tenantId, c: 'facts' }))).toEqual(['NOT_FOUND']);
      // The other tenant's collection of the same name is untouched.
      expect(await vectors.get(other, foreign.id)).not.toBeNull();
      expect((await request(admin, COLLECTIONS, { t: tenantId })).body.data?.['memoryCollections']).toMatchObject([{ name: 'prefs' }]);
      const actions = audits()
        .filter((a) => a.tenantId === tenantId)
        .map((a) => a.action);
      expect(actions).toEqual(['memory.vector.delete', 'memory.collection.delete']);
      expect(errorCodes(await request(principalOf(['tenant_admin'], other), DELETE_COLLECTION, { t: tenantId, c: 'prefs' }))).toEqual(['FORBIDDEN']);
    });

    it('settles concurrent deletes of one session (each succeeds or finds nothing) and leaves nothing behind', async () => {
      const { request, sessions } = fixture();
      const tenantId = await newTenant();
      const admin = principalOf(['tenant_admin'], tenantId);
      await sessions.putResponse(tenantId, response('raced'));
      const replies = await Promise.all(Array.from({ length: 4 }, () => request(admin, DELETE_SESSION, { t: tenantId, id: 'raced' })));
      const succeeded = replies.filter((reply) => reply.body.data?.['deleteMemorySession'] === true);
      expect(succeeded.length).toBeGreaterThanOrEqual(1);
      expect(replies.flatMap(errorCodes).every((code) => code === 'NOT_FOUND')).toBe(true);
      expect((await sessions.usage(tenantId)).responses).toBe(0);
      expect(await fixture().db.withTenant(tenantId, (tx) => tx.memoryResponse.count())).toBe(0);
    });
  });
}
