import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createRedisBus } from '@switchyard/bus';
import { createMemoryTestDatabase, createTestDatabase } from '@switchyard/db/testing';
import { createInMemorySessionDocumentStore, type SessionDocumentStore } from '@switchyard/session-documents';
import { createPrismaSessionDocumentStore } from '@switchyard/session-documents/prisma';
import { startHarness } from '../test-support/data-plane-harness';

/** Two data-plane replicas on one Redis (each its own bus connection), sharing one document store as they share the database. */
const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `sy-test-docs-${randomUUID()}:`;

afterAll(async () => {
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** The shared store: the database both replicas use (Postgres, as in production), or memory standing in for it. */
interface SharedStore {
  store: SessionDocumentStore;
  /** The tenant exists where the documents are (the database's foreign key). */
  addTenant(id: string): Promise<void>;
  close(): Promise<void>;
}
const stores: [string, () => Promise<SharedStore>][] = [
  ['in memory', async () => ({ store: createInMemorySessionDocumentStore(), addTenant: async () => {}, close: async () => {} })],
  [
    'in Postgres',
    async () => {
      const test = process.env.SWITCHYARD_TEST_POSTGRES_URL ? await createTestDatabase() : await createMemoryTestDatabase();
      return {
        store: createPrismaSessionDocumentStore(test.db),
        addTenant: async (id) => void (await test.db.withPlatform((tx) => tx.tenant.create({ data: { id, slug: `docs-${id.slice(0, 8)}`, name: 'docs' } }))),
        close: () => test.drop(),
      };
    },
  ],
];

describe.each(stores)('session documents across two data planes on one Redis, documents %s', (_label, openStore) => {
  it('concurrent edits through both replicas converge, and a watcher on one sees the other’s edits live', async () => {
    const [busA, busB] = [createRedisBus(redisUrl, { keyPrefix: prefix }), createRedisBus(redisUrl, { keyPrefix: prefix })];
    const shared = await openStore();
    const store = shared.store;
    const a = await startHarness({ bus: busA, sessionDocuments: store, replicaId: 'replica-a' });
    const b = await startHarness({ bus: busB, sessionDocuments: store, replicaId: 'replica-b', apiKeys: a.keys });
    await shared.addTenant(a.record.tenantId);
    const post = (baseUrl: string, update: Uint8Array) =>
      fetch(`${baseUrl}/sessions/team-notes/document/updates`, { method: 'POST', headers: { authorization: `Bearer ${a.secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ update: b64(update) }) });
    const read = async (baseUrl: string) => (await (await fetch(`${baseUrl}/sessions/team-notes/document`, { headers: { authorization: `Bearer ${a.secret}` } })).json()) as { content: { notes?: string; tasks?: Record<string, string> }; state: string };

    // Both agents start from the same text.
    const seed = new Y.Doc();
    seed.getText('notes').insert(0, 'shared: ');
    expect((await post(a.baseUrl, Y.encodeStateAsUpdate(seed))).status).toBe(201);

    // A watcher on replica B.
    const stream = await fetch(`${b.baseUrl}/sessions/team-notes/document/events`, { headers: { authorization: `Bearer ${a.secret}` } });
    const watcher = new Y.Doc();
    const reader = stream.body!.getReader();
    let buffer = '';
    const applyFrames = async (until: () => boolean) => {
      while (!until()) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += Buffer.from(value).toString('utf8');
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (!data) continue;
          const parsed = JSON.parse(data) as { state?: string; update?: string };
          Y.applyUpdate(watcher, Buffer.from(parsed.state ?? parsed.update ?? '', 'base64'));
        }
      }
    };
    await applyFrames(() => watcher.getText('notes').toString() === 'shared: ');

    // Two agents edit concurrently from the same base, one through each replica, many times.
    const agents = [new Y.Doc(), new Y.Doc()];
    for (const agent of agents) Y.applyUpdate(agent, Y.encodeStateAsUpdate(seed));
    const sends: Promise<Response>[] = [];
    for (let round = 0; round < 10; round += 1) {
      agents.forEach((agent, index) => {
        const before = Y.encodeStateVector(agent);
        agent.getText('notes').insert(agent.getText('notes').length, `${index === 0 ? 'a' : 'b'}${round} `);
        agent.getMap('tasks').set(`task-${round}`, index === 0 ? 'alice' : 'bob');
        sends.push(post(index === 0 ? a.baseUrl : b.baseUrl, Y.encodeStateAsUpdate(agent, before)));
      });
    }
    expect((await Promise.all(sends)).every((response) => response.ok)).toBe(true);

    const [fromA, fromB] = await Promise.all([read(a.baseUrl), read(b.baseUrl)]);
    expect(fromA.content).toEqual(fromB.content);
    expect(fromA.content.notes?.match(/[ab]\d+ /g)).toHaveLength(20);
    expect(Object.keys(fromA.content.tasks ?? {})).toHaveLength(10);
    // Each agent merging the document back ends where the replicas are (the CRDT converged).
    for (const agent of agents) Y.applyUpdate(agent, Buffer.from(fromA.state, 'base64'));
    expect(agents[0]!.getText('notes').toString()).toBe(fromA.content.notes);
    expect(agents[1]!.getText('notes').toString()).toBe(fromA.content.notes);

    // The watcher on B received replica A's edits through Redis, and B's own, and converged too.
    await applyFrames(() => watcher.getText('notes').toString() === fromA.content.notes);
    expect(watcher.getMap('tasks').toJSON()).toEqual(fromA.content.tasks);

    await reader.cancel();
    await b.finish();
    await a.finish();
    await Promise.all([busA.close(), busB.close()]);
    await shared.close();
  });
});
