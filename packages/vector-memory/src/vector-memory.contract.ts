import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from './hnsw';
import { VectorMemoryError, type NewMemory, type VectorMemory } from './vector-memory';

export interface VectorMemoryFixture {
  memory: VectorMemory;
  /** Two tenants that exist wherever the implementation needs them to. */
  tenants: [string, string];
  /**
   * A second instance over the same storage (another replica), when the implementation has one:
   * what one adds or removes, the other finds or stops finding.
   */
  peer?: VectorMemory;
  close(): Promise<void>;
}

/** Every VectorMemory implementation passes this suite (in-process, PGlite + pgvector, Postgres + HNSW). */
export function runVectorMemoryContract(name: string, make: (options: { maxMemoriesPerTenant: number }) => Promise<VectorMemoryFixture>) {
  describe(`VectorMemory contract: ${name}`, () => {
    const opened: VectorMemoryFixture[] = [];
    const open = async (maxMemoriesPerTenant = 1000) => {
      const fixture = await make({ maxMemoriesPerTenant });
      opened.push(fixture);
      return fixture;
    };
    afterAll(async () => {
      for (const fixture of opened) await fixture.close();
    });

    const random = mulberry32(42);
    const vector = (dimensions = 8) => Array.from({ length: dimensions }, () => random() * 2 - 1);
    const memoryOf = (overrides: Partial<NewMemory> = {}): NewMemory => ({
      id: randomUUID(),
      collection: 'notes',
      text: `snippet ${randomUUID()}`,
      embedding: vector(),
      embeddingModel: 'mock-embed-1',
      ...overrides,
    });

    it('finds the most similar memories of a collection, best first, with cosine scores', async () => {
      const { memory, tenants } = await open();
      const [tenant] = tenants;
      const near = memoryOf({ embedding: [1, 0, 0, 0, 0, 0, 0, 0], text: 'near' });
      const middle = memoryOf({ embedding: [1, 1, 0, 0, 0, 0, 0, 0], text: 'middle' });
      const far = memoryOf({ embedding: [-1, 0, 0, 0, 0, 0, 0, 0], text: 'far' });
      const elsewhere = memoryOf({ embedding: [1, 0, 0, 0, 0, 0, 0, 0], collection: 'other', text: 'elsewhere' });
      for (const m of [far, middle, near, elsewhere]) expect((await memory.add(tenant, m)).created).toBe(true);
      const hits = await memory.search(tenant, 'notes', [2, 0, 0, 0, 0, 0, 0, 0], 2);
      expect(hits.map((hit) => hit.memory.text)).toEqual(['near', 'middle']);
      expect(hits[0]!.score).toBeCloseTo(1, 5);
      expect(hits[1]!.score).toBeCloseTo(Math.SQRT1_2, 5);
      expect(hits[0]!.memory).toMatchObject({ id: near.id, collection: 'notes', embeddingModel: 'mock-embed-1', dimensions: 8, subject: null });
      expect(hits[0]!.memory.createdAt).toBeInstanceOf(Date);
      expect(await memory.search(tenant, 'notes', [1, 0, 0, 0, 0, 0, 0, 0], 10)).toHaveLength(3);
      expect(await memory.search(tenant, 'missing', [1, 0, 0, 0, 0, 0, 0, 0], 10)).toEqual([]);
    });

    it('keeps tenants apart: another tenant neither finds, reads, lists nor deletes a memory', async () => {
      const { memory, tenants } = await open();
      const [a, b] = tenants;
      const secret = memoryOf({ collection: 'shared-name' });
      await memory.add(a, secret);
      expect(await memory.search(b, 'shared-name', secret.embedding, 5)).toEqual([]);
      expect(await memory.get(b, secret.id)).toBeNull();
      expect(await memory.list(b, { collection: 'shared-name', limit: 10 })).toEqual([]);
      expect(await memory.remove(b, secret.id)).toBe(false);
      expect(await memory.eraseSubject(b, 'anyone')).toBe(0);
      expect((await memory.get(a, secret.id))?.text).toBe(secret.text);
    });

    it('stores a memory once however often it is added (idempotent by id)', async () => {
      const { memory, tenants } = await open();
      const [tenant] = tenants;
      const first = memoryOf({ collection: 'idem' });
      expect((await memory.add(tenant, first)).created).toBe(true);
      const again = await memory.add(tenant, { ...first, text: 'changed' });
      expect(again.created).toBe(false);
      expect(again.memory.text).toBe(first.text);
      const concurrent = memoryOf({ collection: 'idem' });
      const results = await Promise.all(Array.from({ length: 5 }, () => memory.add(tenant, concurrent)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(await memory.list(tenant, { collection: 'idem', limit: 10 })).toHaveLength(2);
    });

    it('lists by id in pages, and removes', async () => {
      const { memory, tenants } = await open();
      const [tenant] = tenants;
      const added = Array.from({ length: 5 }, () => memoryOf({ collection: 'paged' }));
      for (const m of added) await memory.add(tenant, m);
      const ids = added.map((m) => m.id).sort();
      const first = await memory.list(tenant, { collection: 'paged', limit: 3 });
      expect(first.map((r) => r.id)).toEqual(ids.slice(0, 3));
      const second = await memory.list(tenant, { collection: 'paged', limit: 3, after: first[2]!.id });
      expect(second.map((r) => r.id)).toEqual(ids.slice(3));
      expect(await memory.remove(tenant, ids[0]!)).toBe(true);
      expect(await memory.remove(tenant, ids[0]!)).toBe(false);
      expect(await memory.get(tenant, ids[0]!)).toBeNull();
      const hits = await memory.search(tenant, 'paged', added.find((m) => m.id === ids[0])!.embedding, 10);
      expect(hits.map((h) => h.memory.id)).not.toContain(ids[0]);
      expect(hits).toHaveLength(4);
    });

    it('erases every memory about a subject and nothing else', async () => {
      const { memory, tenants } = await open();
      const [tenant] = tenants;
      const subject = `user-${randomUUID()}`;
      await memory.add(tenant, memoryOf({ collection: 'dsr', subject }));
      await memory.add(tenant, memoryOf({ collection: 'dsr-2', subject }));
      const kept = memoryOf({ collection: 'dsr', subject: 'someone-else' });
      await memory.add(tenant, kept);
      expect(await memory.eraseSubject(tenant, subject)).toBe(2);
      expect((await memory.list(tenant, { collection: 'dsr', limit: 10 })).map((r) => r.id)).toEqual([kept.id]);
      expect(await memory.search(tenant, 'dsr-2', vector(), 5)).toEqual([]);
    });

    it('lists collections with their counts and removes a whole one, for this tenant only', async () => {
      const { memory, tenants } = await open();
      const [tenant, other] = tenants;
      const prefix = `c${randomUUID().slice(0, 8)}`;
      const gone = [memoryOf({ collection: `${prefix}-gone` }), memoryOf({ collection: `${prefix}-gone` })];
      for (const m of gone) await memory.add(tenant, m);
      const kept = memoryOf({ collection: `${prefix}-kept`, embedding: vector(4) });
      await memory.add(tenant, kept);
      await memory.add(other, memoryOf({ collection: `${prefix}-gone` }));
      const mine = (await memory.collections(tenant)).filter((c) => c.name.startsWith(prefix));
      expect(mine.map(({ name, memories, dimensions, embeddingModel }) => ({ name, memories, dimensions, embeddingModel }))).toEqual([
        { name: `${prefix}-gone`, memories: 2, dimensions: 8, embeddingModel: 'mock-embed-1' },
        { name: `${prefix}-kept`, memories: 1, dimensions: 4, embeddingModel: 'mock-embed-1' },
      ]);
      expect(mine[0]!.lastAddedAt).toBeInstanceOf(Date);
      expect(await memory.search(tenant, `${prefix}-gone`, gone[0]!.embedding, 1)).toHaveLength(1);
      expect(await memory.removeCollection(tenant, `${prefix}-gone`)).toBe(2);
      expect(await memory.search(tenant, `${prefix}-gone`, gone[0]!.embedding, 5)).toEqual([]);
      expect(await memory.get(tenant, gone[0]!.id)).toBeNull();
      expect(await memory.removeCollection(tenant, `${prefix}-gone`)).toBe(0);
      expect((await memory.collections(tenant)).filter((c) => c.name.startsWith(prefix)).map((c) => c.name)).toEqual([`${prefix}-kept`]);
      // The other tenant's collection of the same name is untouched.
      expect((await memory.collections(other)).find((c) => c.name === `${prefix}-gone`)?.memories).toBe(1);
    });

    it('refuses an embedding whose dimension differs from its collection, and malformed memories', async () => {
      const { memory, tenants } = await open();
      const [tenant] = tenants;
      await memory.add(tenant, memoryOf({ collection: 'dims' }));
      await expect(memory.add(tenant, memoryOf({ collection: 'dims', embedding: vector(4) }))).rejects.toMatchObject({ code: 'dimension_mismatch' });
      await expect(memory.search(tenant, 'dims', vector(4), 3)).rejects.toMatchObject({ code: 'dimension_mismatch' });
      await expect(memory.add(tenant, memoryOf({ id: 'not-a-uuid' }))).rejects.toBeInstanceOf(VectorMemoryError);
      await expect(memory.add(tenant, memoryOf({ collection: "x'; drop table" }))).rejects.toMatchObject({ code: 'invalid_memory' });
      await expect(memory.add(tenant, memoryOf({ embedding: [1, Number.NaN] }))).rejects.toMatchObject({ code: 'invalid_memory' });
      await expect(memory.add(tenant, memoryOf({ text: '' }))).rejects.toMatchObject({ code: 'invalid_memory' });
    });

    it("holds a tenant to its quota, and another tenant's memories do not count", async () => {
      const { memory, tenants } = await open(3);
      const [a, b] = tenants;
      for (let i = 0; i < 3; i += 1) await memory.add(a, memoryOf({ collection: 'quota' }));
      await expect(memory.add(a, memoryOf({ collection: 'quota' }))).rejects.toMatchObject({ code: 'quota_exceeded' });
      expect((await memory.add(b, memoryOf({ collection: 'quota' }))).created).toBe(true);
    });

    it('finds at least 95 % of the exact top 10 in a collection of 600', async () => {
      const { memory, tenants } = await open(5000);
      const [tenant] = tenants;
      const stored = Array.from({ length: 600 }, () => memoryOf({ collection: 'recall', embedding: vector(16) }));
      for (const m of stored) await memory.add(tenant, m);
      let hits = 0;
      for (let q = 0; q < 20; q += 1) {
        const query = vector(16);
        const truth = stored
          .map((m) => ({ id: m.id, score: cosine(m.embedding, query) }))
          .sort((x, y) => y.score - x.score)
          .slice(0, 10)
          .map((x) => x.id);
        const found = new Set((await memory.search(tenant, 'recall', query, 10)).map((h) => h.memory.id));
        hits += truth.filter((id) => found.has(id)).length;
      }
      expect(hits / 200).toBeGreaterThanOrEqual(0.95);
    });

    it('a second replica over the same storage sees what the first adds and removes', async (context) => {
      const { memory, peer, tenants } = await open();
      if (!peer) return context.skip();
      const [tenant] = tenants;
      const first = memoryOf({ collection: 'replicated', embedding: [0, 1, 0, 0, 0, 0, 0, 0] });
      await memory.add(tenant, first);
      expect((await peer.search(tenant, 'replicated', first.embedding, 1))[0]?.memory.id).toBe(first.id);
      const second = memoryOf({ collection: 'replicated', embedding: [0, 0, 1, 0, 0, 0, 0, 0] });
      await memory.add(tenant, second);
      await expect.poll(async () => (await peer.search(tenant, 'replicated', second.embedding, 1))[0]?.memory.id).toBe(second.id);
      await memory.remove(tenant, second.id);
      await expect.poll(async () => (await peer.search(tenant, 'replicated', second.embedding, 2)).map((h) => h.memory.id)).toEqual([first.id]);
      // A whole collection removed on one replica is gone from the other's index too.
      await memory.removeCollection(tenant, 'replicated');
      await expect.poll(async () => peer.search(tenant, 'replicated', first.embedding, 2)).toEqual([]);
    });
  });
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i += 1) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}
