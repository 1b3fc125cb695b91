import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createStaticPriceBookSource } from '../../accounting/price-book';
import { createDataPlane, type DataPlane } from '../../app';
import { createInProcessBus } from '../../bus/in-process-bus';
import { createInProcessRateLimiter } from '../../ingress/rate-limit/in-process-rate-limiter';
import { FakeApiKeyStore, TEST_PRICE_BOOK } from '../../test-support/data-plane-harness';
import { startRecordingUpstream } from '../../test-support/recording-upstream';
import { PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessage } from './channel';
import { createTenantCredentialCache } from './credential-cache';

describe('tenant provider credentials on the request path', () => {
  const bus = createInProcessBus();
  const rateLimiter = createInProcessRateLimiter();
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
  let upstream: Awaited<ReturnType<typeof startRecordingUpstream>>;
  let dataPlane: DataPlane;
  let url: string;

  beforeAll(async () => {
    upstream = await startRecordingUpstream();
    await cache.subscribe(bus);
    await cache.loadAll();
    dataPlane = createDataPlane({
      apiKeys: keys,
      priceBook: createStaticPriceBookSource(TEST_PRICE_BOOK),
      bus,
      rateLimiter,
      providers: [{ name: 'upstream', kind: 'openai-compatible', baseUrl: upstream.baseUrl, apiKey: 'sk-platform-configured-key', models: ['up-model'] }],
      providerCredentials: cache,
    });
    await new Promise<void>((resolve) => dataPlane.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(dataPlane.server.address() as AddressInfo).port}/v1/chat/completions`;
  });

  afterAll(async () => {
    await dataPlane?.close();
    await new Promise((resolve) => upstream?.server.close(resolve));
    await bus.close();
    await rateLimiter.close();
  });

  async function complete(secret: string): Promise<string | undefined> {
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
    expect(await complete(tenantB.secret)).toBe('Bearer sk-platform-configured-key');
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
    expect(await complete(tenantA.secret)).toBe('Bearer sk-platform-configured-key');
  });
});
