import { describe, expect, it, vi } from 'vitest';
import { createInProcessBus } from '@switchyard/bus';
import { PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessage } from '@switchyard/events/tenants';
import { createTenantCredentialCache, type TenantCredentialSource } from './credential-cache';

function memorySource(initial: Record<string, Record<string, string>>): TenantCredentialSource & { data: Record<string, Record<string, string>>; fail: boolean; reads: number } {
  const source = {
    data: initial,
    fail: false,
    reads: 0,
    tenantsWithProviderCredentials: () => Promise.resolve(Object.keys(source.data)),
    revealProviderCredentials(tenantId: string) {
      source.reads += 1;
      if (source.fail) return Promise.reject(new Error('database down'));
      return Promise.resolve(new Map(Object.entries(source.data[tenantId] ?? {})));
    },
  };
  return source;
}

describe('tenant credential cache', () => {
  it('loads every tenant at start-up and answers lookups without touching the source', async () => {
    const source = memorySource({ a: { openai: 'sk-a' }, b: { openai: 'sk-b', anthropic: 'sk-b2' } });
    const cache = createTenantCredentialCache({ source });
    await cache.loadAll();
    const reads = source.reads;
    expect(cache.lookup('a', 'openai')).toBe('sk-a');
    expect(cache.lookup('b', 'anthropic')).toBe('sk-b2');
    expect(cache.lookup('a', 'anthropic')).toBeUndefined();
    expect(cache.lookup('c', 'openai')).toBeUndefined();
    expect(source.reads).toBe(reads);
  });

  it('reloads a tenant on the bus event, and forgets deleted credentials', async () => {
    const source = memorySource({ a: { openai: 'sk-a' } });
    const cache = createTenantCredentialCache({ source });
    await cache.loadAll();
    const bus = createInProcessBus();
    const unsubscribe = await cache.subscribe(bus);
    source.data = { a: { openai: 'sk-a-rotated' } };
    await bus.publish(PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessage('a'));
    await vi.waitFor(() => expect(cache.lookup('a', 'openai')).toBe('sk-a-rotated'));
    source.data = {};
    await bus.publish(PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessage('a'));
    await vi.waitFor(() => expect(cache.lookup('a', 'openai')).toBeUndefined());
    // Malformed messages are ignored, not thrown into the bus.
    await bus.publish(PROVIDER_CREDENTIALS_CHANGED_CHANNEL, 'not json');
    await bus.publish(PROVIDER_CREDENTIALS_CHANGED_CHANNEL, JSON.stringify({ tenant: 'a' }));
    await unsubscribe();
    await bus.close();
  });

  it('keeps the previous credentials when a reload fails, then retries', async () => {
    const source = memorySource({ a: { openai: 'sk-a' } });
    const errors: number[] = [];
    const cache = createTenantCredentialCache({ source, retryDelaysMs: [0, 0], onReloadError: (_tenant, _error, attempt) => errors.push(attempt) });
    await cache.loadAll();
    source.fail = true;
    await cache.reload('a');
    expect(errors).toEqual([1, 2, 3]);
    expect(cache.lookup('a', 'openai')).toBe('sk-a');
  });

  it('a slow older reload never overwrites a newer one', async () => {
    let release: (value: Map<string, string>) => void = () => undefined;
    let calls = 0;
    const source: TenantCredentialSource = {
      tenantsWithProviderCredentials: () => Promise.resolve(['a']),
      revealProviderCredentials: () => {
        calls += 1;
        if (calls === 1) return new Promise((resolve) => (release = resolve));
        return Promise.resolve(new Map([['openai', 'sk-new']]));
      },
    };
    const cache = createTenantCredentialCache({ source });
    const older = cache.reload('a');
    await cache.reload('a');
    release(new Map([['openai', 'sk-old']]));
    await older;
    expect(cache.lookup('a', 'openai')).toBe('sk-new');
  });
});
