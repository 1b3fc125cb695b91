import { describe, expect, it } from 'vitest';
import { API_KEY_CHANGED_CHANNEL } from '@switchyard/events/tenants';
import { createInProcessBus } from '@switchyard/bus';
import { createDatabaseApiKeyResolver, subscribeApiKeyEviction, type ApiKeyStore } from './api-key-resolver';

function store(rows: Record<string, Awaited<ReturnType<ApiKeyStore['resolveApiKey']>>>) {
  const calls: string[] = [];
  return {
    calls,
    rows,
    async resolveApiKey(hash: string) {
      calls.push(hash);
      return rows[hash] ?? null;
    },
  };
}

const row = { id: 'k1', tenantId: 't1', scopes: ['chat'], expiresAt: '2030-01-01T00:00:00.000Z', revokedAt: null };

describe('database API key resolver', () => {
  it('caches found keys for at most one second', async () => {
    let now = 0;
    const db = store({ h1: row });
    const resolver = createDatabaseApiKeyResolver(db, { ttlMs: 60_000, clock: () => now });
    const first = await resolver.resolve('h1');
    expect(first).toEqual({ id: 'k1', tenantId: 't1', scopes: ['chat'], expiresAt: new Date('2030-01-01T00:00:00.000Z'), revokedAt: null });
    now = 999;
    await resolver.resolve('h1');
    expect(db.calls).toHaveLength(1);
    now = 1_000; // ttl capped at 1 s despite asking for 60 s
    await resolver.resolve('h1');
    expect(db.calls).toHaveLength(2);
  });

  it('never caches unknown keys, so a new key works at once', async () => {
    const db = store({});
    const resolver = createDatabaseApiKeyResolver(db);
    expect(await resolver.resolve('h2')).toBeNull();
    db.rows.h2 = row;
    expect(await resolver.resolve('h2')).not.toBeNull();
  });

  it('coalesces concurrent lookups of the same key', async () => {
    const db = store({ h1: row });
    const resolver = createDatabaseApiKeyResolver(db);
    await Promise.all(Array.from({ length: 20 }, () => resolver.resolve('h1')));
    expect(db.calls).toHaveLength(1);
  });

  it('evicts on the bus channel, ignoring junk messages', async () => {
    const bus = createInProcessBus();
    const db = store({ h1: row });
    const resolver = createDatabaseApiKeyResolver(db);
    await subscribeApiKeyEviction(bus, resolver);
    await resolver.resolve('h1');
    await bus.publish(API_KEY_CHANGED_CHANNEL, 'not json');
    await bus.publish(API_KEY_CHANGED_CHANNEL, JSON.stringify({ keyHash: 42 }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await resolver.resolve('h1');
    expect(db.calls).toHaveLength(1);

    db.rows.h1 = { ...row, revokedAt: new Date('2025-01-01T00:00:00Z') };
    await bus.publish(API_KEY_CHANGED_CHANNEL, JSON.stringify({ keyHash: 'h1' }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await resolver.resolve('h1'))?.revokedAt).toEqual(new Date('2025-01-01T00:00:00Z'));
    await bus.close();
  });

  it('a lookup racing an eviction does not put the stale record back', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let version = 1;
    const resolver = createDatabaseApiKeyResolver({
      async resolveApiKey() {
        const seen = version;
        await gate;
        return { ...row, scopes: [`v${seen}`] };
      },
    });
    const racing = resolver.resolve('h1');
    version = 2;
    resolver.evict('h1');
    release();
    expect((await racing)?.scopes).toEqual(['v1']);
    expect((await resolver.resolve('h1'))?.scopes).toEqual(['v2']);
  });

  describe('background re-validation of keys in use', () => {
    type StoredKey = NonNullable<Awaited<ReturnType<ApiKeyStore['resolveApiKey']>>>;
    function batchStore(rows: Record<string, StoredKey | null>) {
      const single: string[] = [];
      const batches: string[][] = [];
      return {
        rows,
        single,
        batches,
        async resolveApiKey(hash: string) {
          single.push(hash);
          return rows[hash] ?? null;
        },
        async resolveApiKeys(hashes: readonly string[]) {
          batches.push([...hashes]);
          return new Map(hashes.flatMap((hash): Array<[string, StoredKey]> => (rows[hash] ? [[hash, rows[hash]]] : [])));
        },
      };
    }

    it('renews keys in use in one batch lookup, so the request path stops reading the database', async () => {
      let now = 0;
      const db = batchStore({ h1: row, h2: { ...row, id: 'k2' } });
      const resolver = createDatabaseApiKeyResolver(db, { clock: () => now, revalidateEveryMs: 0 });
      await resolver.resolve('h1');
      await resolver.resolve('h2');
      expect(db.single).toEqual(['h1', 'h2']);
      for (now = 500; now <= 10_000; now += 500) {
        await resolver.revalidate();
        expect((await resolver.resolve('h1'))?.id).toBe('k1');
        expect((await resolver.resolve('h2'))?.id).toBe('k2');
      }
      expect(db.single).toEqual(['h1', 'h2']);
      expect(db.batches.length).toBe(20);
      expect(db.batches.every((batch) => batch.length === 2)).toBe(true);
    });

    it('a revocation nobody announced still takes effect within the TTL of the re-validating read', async () => {
      let now = 0;
      const db = batchStore({ h1: row });
      const resolver = createDatabaseApiKeyResolver(db, { clock: () => now, revalidateEveryMs: 0 });
      await resolver.resolve('h1');
      db.rows.h1 = { ...row, revokedAt: new Date('2025-01-01T00:00:00Z') };
      now = 400;
      await resolver.revalidate();
      expect((await resolver.resolve('h1'))?.revokedAt).toEqual(new Date('2025-01-01T00:00:00Z'));
      // A deleted key leaves the cache at the next round.
      db.rows.h1 = null;
      now = 800;
      await resolver.revalidate();
      expect(await resolver.resolve('h1')).toBeNull();
    });

    it('stops re-validating a key unused for keepWarmMs: it expires and is read again on its next use', async () => {
      let now = 0;
      const db = batchStore({ h1: row });
      const resolver = createDatabaseApiKeyResolver(db, { clock: () => now, revalidateEveryMs: 0, keepWarmMs: 2_000 });
      await resolver.resolve('h1');
      for (now = 500; now <= 5_000; now += 500) await resolver.revalidate();
      expect(db.batches.length).toBe(4); // used at 0: warm until 2,000 ms
      await resolver.resolve('h1');
      expect(db.single).toEqual(['h1', 'h1']);
    });

    it('a re-validation racing an eviction does not put the stale record back', async () => {
      let now = 0;
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const db = batchStore({ h1: row });
      const slow = {
        resolveApiKey: db.resolveApiKey,
        async resolveApiKeys(hashes: readonly string[]) {
          const stale = await db.resolveApiKeys(hashes);
          await gate;
          return stale;
        },
      };
      const resolver = createDatabaseApiKeyResolver(slow, { clock: () => now, revalidateEveryMs: 0 });
      await resolver.resolve('h1');
      now = 500;
      const round = resolver.revalidate();
      db.rows.h1 = { ...row, scopes: ['changed'] };
      resolver.evict('h1');
      release();
      await round;
      expect((await resolver.resolve('h1'))?.scopes).toEqual(['changed']);
    });

    it('after failed rounds the entries expire and the rounds stop (a closed database is not polled forever)', async () => {
      let now = 0;
      const db = batchStore({ h1: row });
      let failures = 0;
      const failing = {
        resolveApiKey: db.resolveApiKey,
        async resolveApiKeys(): Promise<Map<string, StoredKey>> {
          failures += 1;
          throw new Error('database closed');
        },
      };
      const resolver = createDatabaseApiKeyResolver(failing, { clock: () => now, revalidateEveryMs: 0 });
      await resolver.resolve('h1');
      for (now = 500; now <= 3_000; now += 500) await resolver.revalidate();
      expect(failures).toBe(1); // at 500; at 1,000 the entry had expired and nothing was left to re-validate
      await resolver.resolve('h1');
      expect(db.single).toEqual(['h1', 'h1']);
    });

    it('runs on a timer by itself when the store can look keys up in batches', async () => {
      const db = batchStore({ h1: row });
      const resolver = createDatabaseApiKeyResolver(db, { revalidateEveryMs: 20 });
      await resolver.resolve('h1');
      // Polled rather than slept: a loaded machine may delay timers.
      for (const giveUpAt = Date.now() + 10_000; db.batches.length < 2 && Date.now() < giveUpAt; ) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(db.batches.length).toBeGreaterThanOrEqual(2);
      resolver.evict('h1');
    });
  });
});
