import { describe, expect, it } from 'vitest';
import { API_KEY_CHANGED_CHANNEL } from '../accounting/usage-event';
import { createInProcessBus } from '../bus/in-process-bus';
import { createDatabaseApiKeyResolver, subscribeApiKeyEviction, type ApiKeyStore } from './api-keys';

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
});
