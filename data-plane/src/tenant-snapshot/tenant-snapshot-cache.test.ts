import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createInProcessBus } from '@switchyard/bus';
import { createTenantSnapshotCache, type TenantSnapshotCacheOptions, type TenantSnapshotStartup } from './tenant-snapshot-cache';

const CHANNEL = 'test:snapshot.changed';
const messageSchema = z.object({ tenantId: z.string().min(1) });
const changed = (tenantId: string) => JSON.stringify({ tenantId });

/** A mutable store whose next `failures` loads reject; every load is counted per tenant. */
function fakeStore(initial: Record<string, string>) {
  const rows = new Map(Object.entries(initial));
  const loads: string[] = [];
  const state = { failures: 0 };
  const load = (tenantId: string): Promise<string | undefined> => {
    loads.push(tenantId);
    if (state.failures > 0) {
      state.failures -= 1;
      return Promise.reject(new Error('store unavailable'));
    }
    return Promise.resolve(rows.get(tenantId));
  };
  return { rows, loads, state, load };
}

function cacheOver(store: ReturnType<typeof fakeStore>, startup: TenantSnapshotStartup<string>, extra: Partial<TenantSnapshotCacheOptions<string>> = {}) {
  return createTenantSnapshotCache<string>({ channel: CHANNEL, messageSchema, load: store.load, startup, ...extra });
}

describe('tenant snapshot cache', () => {
  it('starts from one read of every tenant, and answers from memory afterwards', async () => {
    const store = fakeStore({ a: 'a1', b: 'b1' });
    const cache = cacheOver(store, { loadEvery: () => Promise.resolve(new Map(store.rows)) });
    await cache.loadAll();
    expect(cache.get('a')).toBe('a1');
    expect(cache.get('b')).toBe('b1');
    expect(cache.get('c')).toBeUndefined();
    expect(store.loads).toEqual([]);
  });

  it('starts by loading each listed tenant, with retries, skipping tenants that have nothing', async () => {
    const store = fakeStore({ a: 'a1' });
    const errors: Array<[string, number]> = [];
    const cache = cacheOver(store, { listTenants: () => Promise.resolve(['a', 'gone']) }, { retryDelaysMs: [0], onReloadError: (tenantId, _error, attempt) => errors.push([tenantId, attempt]) });
    store.state.failures = 1;
    await cache.loadAll();
    expect(cache.get('a')).toBe('a1');
    expect(cache.get('gone')).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(store.loads.toSorted()).toEqual(['a', 'a', 'gone']);
  });

  it('fails start-up when the tenants cannot be listed or read at all', async () => {
    const store = fakeStore({});
    await expect(cacheOver(store, { listTenants: () => Promise.reject(new Error('down')) }).loadAll()).rejects.toThrow('down');
    await expect(cacheOver(store, { loadEvery: () => Promise.reject(new Error('down')) }).loadAll()).rejects.toThrow('down');
  });

  it('reloads the tenant a bus message names, drops it when the store has nothing, and ignores malformed messages', async () => {
    const store = fakeStore({ a: 'a1' });
    const cache = cacheOver(store, { loadEvery: () => Promise.resolve(new Map(store.rows)) });
    await cache.loadAll();
    const bus = createInProcessBus();
    const unsubscribe = await cache.subscribe(bus);

    for (const malformed of ['not json', '{}', JSON.stringify({ tenantId: '' }), JSON.stringify({ tenant: 'a' })]) await bus.publish(CHANNEL, malformed);
    await bus.publish('test:other-channel', changed('a'));
    store.rows.set('a', 'a2');
    await bus.publish(CHANNEL, changed('a'));
    await vi.waitFor(() => expect(cache.get('a')).toBe('a2'));
    expect(store.loads).toEqual(['a']);

    store.rows.delete('a');
    await bus.publish(CHANNEL, changed('a'));
    await vi.waitFor(() => expect(cache.get('a')).toBeUndefined());

    await unsubscribe();
    store.rows.set('a', 'a3');
    await bus.publish(CHANNEL, changed('a'));
    await cache.reload('b');
    expect(cache.get('a')).toBeUndefined();
    await bus.close();
  });

  it('keeps the previous snapshot while the store fails, retrying once per delay, then gives up', async () => {
    const store = fakeStore({ a: 'a1' });
    const attempts: number[] = [];
    const cache = cacheOver(store, { loadEvery: () => Promise.resolve(new Map(store.rows)) }, { retryDelaysMs: [0, 1], onReloadError: (_tenantId, _error, attempt) => attempts.push(attempt) });
    await cache.loadAll();
    store.rows.set('a', 'a2');
    store.state.failures = 3;
    await cache.reload('a');
    expect(attempts).toEqual([1, 2, 3]);
    expect(cache.get('a')).toBe('a1');

    store.state.failures = 2;
    await cache.reload('a');
    expect(attempts).toEqual([1, 2, 3, 1, 2]);
    expect(cache.get('a')).toBe('a2');
  });

  it('a slow older reload never overwrites a newer one', async () => {
    let release: (value: string) => void = () => undefined;
    let calls = 0;
    const cache = createTenantSnapshotCache<string>({
      channel: CHANNEL,
      messageSchema,
      startup: { loadEvery: () => Promise.resolve(new Map()) },
      load: () => {
        calls += 1;
        if (calls === 1) return new Promise((resolve) => (release = resolve));
        return Promise.resolve('new');
      },
    });
    const older = cache.reload('a');
    await cache.reload('a');
    release('old');
    await older;
    expect(cache.get('a')).toBe('new');
  });

  it('a failing older reload stops retrying once a newer one has started', async () => {
    const store = fakeStore({ a: 'a2' });
    const attempts: number[] = [];
    const cache = cacheOver(store, { loadEvery: () => Promise.resolve(new Map()) }, { retryDelaysMs: [0, 0, 0], onReloadError: (_tenantId, _error, attempt) => attempts.push(attempt) });
    store.state.failures = 1;
    const older = cache.reload('a');
    await cache.reload('a');
    await older;
    expect(cache.get('a')).toBe('a2');
    // The older reload failed once, saw the newer generation and stopped: two loads in all.
    expect(store.loads).toEqual(['a', 'a']);
    expect(attempts).toEqual([1]);
  });

  it('a reload that started while every tenant was being read wins over the start-up read', async () => {
    const store = fakeStore({ a: 'a1', b: 'b1' });
    let releaseStartup: () => void = () => undefined;
    const cache = cacheOver(store, {
      loadEvery: async () => {
        const snapshot = new Map(store.rows);
        await new Promise<void>((resolve) => (releaseStartup = resolve));
        return snapshot;
      },
    });
    const starting = cache.loadAll();
    store.rows.set('a', 'a2');
    await cache.reload('a');
    releaseStartup();
    await starting;
    expect(cache.get('a')).toBe('a2');
    expect(cache.get('b')).toBe('b1');
  });
});
