import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createInProcessBus } from '@switchyard/bus';
import { FakeApiKeyStore } from '../../test-support/data-plane-harness';
import { PLATFORM_UPSTREAM_KEY, startDataPlaneBeforeRecordingUpstream, type DataPlaneBeforeRecordingUpstream } from '../../test-support/recording-upstream';
import { PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessage } from '@switchyard/events/tenants';
import { createTenantCredentialCache } from './credential-cache';

describe('tenant provider credentials on the request path', () => {
  const bus = createInProcessBus();
  const keys = new FakeApiKeyStore();
  const tenantA = keys.add();
  const tenantB = keys.add();
  const stored: Record<string, Record<string, string>> = { [tenantA.record.tenantId]: { upstream: 'sk-tenant-a-own-key-1234' } };
  let reads = 0;
  const cache = createTenantCredentialCache({
    source: {
      tenantsWithProviderCredentials: () => Promise.resolve(Object.keys(stored)),
      revealProviderCredentials: (tenantId) => {
        reads += 1;
        return Promise.resolve(new Map(Object.entries(stored[tenantId] ?? {})));
      },
    },
  });
  let running: DataPlaneBeforeRecordingUpstream;

  beforeAll(async () => {
    await cache.subscribe(bus);
    await cache.loadAll();
    running = await startDataPlaneBeforeRecordingUpstream({ apiKeys: keys, bus, providerCredentials: cache });
  });

  afterAll(async () => {
    await running?.close();
    await bus.close();
  });

  async function complete(secret: string): Promise<string | undefined> {
    const { url, upstream } = running;
    const before = upstream.seen.length;
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'up-model', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe('hello');
    expect(upstream.seen).toHaveLength(before + 1);
    return upstream.seen.at(-1)?.authorization;
  }

  it("sends the tenant's own credential upstream, and the provider's key for a tenant without one", async () => {
    const readsBefore = reads;
    expect(await complete(tenantA.secret)).toBe('Bearer sk-tenant-a-own-key-1234');
    expect(await complete(tenantB.secret)).toBe(`Bearer ${PLATFORM_UPSTREAM_KEY}`);
    // The hot path never goes back to the store.
    expect(reads).toBe(readsBefore);
  });

  it('picks up a rotated, a new and a deleted credential through the bus event', async () => {
    stored[tenantA.record.tenantId] = { upstream: 'sk-tenant-a-rotated-5678' };
    stored[tenantB.record.tenantId] = { upstream: 'sk-tenant-b-new-key-9999' };
    await bus.publish(PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessage(tenantA.record.tenantId));
    await bus.publish(PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessage(tenantB.record.tenantId));
    await vi.waitFor(() => expect(cache.lookup(tenantB.record.tenantId, 'upstream')).toBe('sk-tenant-b-new-key-9999'));
    await vi.waitFor(() => expect(cache.lookup(tenantA.record.tenantId, 'upstream')).toBe('sk-tenant-a-rotated-5678'));
    expect(await complete(tenantA.secret)).toBe('Bearer sk-tenant-a-rotated-5678');
    expect(await complete(tenantB.secret)).toBe('Bearer sk-tenant-b-new-key-9999');

    delete stored[tenantA.record.tenantId];
    await bus.publish(PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessage(tenantA.record.tenantId));
    await vi.waitFor(() => expect(cache.lookup(tenantA.record.tenantId, 'upstream')).toBeUndefined());
    expect(await complete(tenantA.secret)).toBe(`Bearer ${PLATFORM_UPSTREAM_KEY}`);
  });
});
