import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createStaticPriceBookSource } from '../accounting/price-book';
import { type Bus, createInProcessBus } from '@switchyard/bus';
import { POLICY_CHANGED_CHANNEL } from '@switchyard/events/policy';
import { ROUTES_CHANGED_CHANNEL } from '@switchyard/events/routing';
import { API_KEY_CHANGED_CHANNEL, PROVIDER_CREDENTIALS_CHANGED_CHANNEL, TENANT_SETTINGS_CHANGED_CHANNEL } from '@switchyard/events/tenants';
import { loadDataPlaneConfig } from '../config';
import { createInProcessRateLimiter } from '../ingress/rate-limit/in-process-rate-limiter';
import { createInMemoryRouteTable } from '../router/route-table';
import { FakeApiKeyStore, TEST_PRICE_BOOK } from '../test-support/data-plane-harness';
import { inMemoryStores } from '../test-support/in-memory-stores';
import { composeDataPlane } from './compose-data-plane';
import { MEMORY_RETENTION_DAYS } from '@switchyard/db/tenant-settings';
import type { ServedRouteTable } from './stores';

/** A bus that counts live subscriptions per channel. */
function countingBus(): { bus: Bus; live: Map<string, number> } {
  const inner = createInProcessBus();
  const live = new Map<string, number>();
  const bus: Bus = {
    ...inner,
    publish: (channel, message) => inner.publish(channel, message),
    async subscribe(channel, onMessage) {
      const unsubscribe = await inner.subscribe(channel, onMessage);
      live.set(channel, (live.get(channel) ?? 0) + 1);
      return async () => {
        live.set(channel, (live.get(channel) ?? 0) - 1);
        await unsubscribe();
      };
    },
  };
  return { bus, live };
}

describe('composeDataPlane', () => {
  it('loads what requests read before it resolves, subscribes each cache to its change event, and lets go of all of them on close', async () => {
    const { bus, live } = countingBus();
    const loaded: string[] = [];
    const slowly = <T>(what: string, value: T) => new Promise<T>((resolve) => setTimeout(() => (loaded.push(what), resolve(value)), 20));
    const keys = new FakeApiKeyStore();
    const { secret, record } = keys.add();
    const servedRoutes = (platformRoutes: Parameters<typeof createInMemoryRouteTable>[0]): ServedRouteTable => {
      const table = createInMemoryRouteTable(platformRoutes);
      return {
        get: (tenantId, name) => table.get(tenantId, name),
        list: (tenantId) => table.list(tenantId),
        defaults: () => table.defaults(),
        load: () => slowly('routes', undefined),
        subscribe: (b) => b.subscribe(ROUTES_CHANGED_CHANNEL, () => undefined),
      };
    };
    const stores = {
      ...inMemoryStores({
        apiKeys: keys,
        priceBook: createStaticPriceBookSource(TEST_PRICE_BOOK),
        providerCredentials: { tenantsWithProviderCredentials: () => slowly('credentials', [record.tenantId]), revealProviderCredentials: async () => new Map([['mock', 'sk-own']]) },
        tenantSettings: { loadAll: () => slowly('settings', new Map()), load: async () => null },
      }),
      routeTable: servedRoutes,
    };
    const rateLimiter = createInProcessRateLimiter();
    const app = await composeDataPlane(loadDataPlaneConfig({}), { stores, bus, rateLimiter });
    expect(loaded.sort()).toEqual(['credentials', 'routes', 'settings']);
    for (const channel of [ROUTES_CHANGED_CHANNEL, PROVIDER_CREDENTIALS_CHANGED_CHANNEL, TENANT_SETTINGS_CHANGED_CHANNEL, POLICY_CHANGED_CHANNEL, API_KEY_CHANGED_CHANNEL]) {
      await expect.poll(() => live.get(channel)).toBe(1);
    }

    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    const response = await fetch(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
    // The configuration's defaults: the demo routes over the mock models.
    expect(((await response.json()) as { data: Array<{ id: string }> }).data.map((model) => model.id)).toEqual(['auto', 'cheapest', 'fastest', 'mock-gpt', 'mock-large', 'mock-mini', 'mock-judge', 'mock-embed-1']);

    await app.close();
    expect([...live.values()].every((count) => count === 0)).toBe(true);
    await Promise.all([bus.close(), rateLimiter.close()]);
  });

  it('refuses a configuration whose routes name a model no provider serves, and leaves nothing subscribed', async () => {
    const { bus, live } = countingBus();
    const rateLimiter = createInProcessRateLimiter();
    const config = loadDataPlaneConfig({ DATA_PLANE_ROUTES: JSON.stringify([{ name: 'r', candidates: [{ model: 'gpt-nope' }], strategy: { kind: 'priority' } }]) });
    await expect(
      composeDataPlane(config, { stores: inMemoryStores({ apiKeys: new FakeApiKeyStore(), priceBook: createStaticPriceBookSource(TEST_PRICE_BOOK) }), bus, rateLimiter }),
    ).rejects.toThrow(/no provider/);
    // Subscribed before the app refused the routes, and unsubscribed again.
    expect(live.get(PROVIDER_CREDENTIALS_CHANGED_CHANNEL)).toBe(0);
    expect(live.get(TENANT_SETTINGS_CHANGED_CHANNEL)).toBe(0);
    expect([...live.values()].every((count) => count === 0)).toBe(true);
    await Promise.all([bus.close(), rateLimiter.close()]);
  });

  it("sweeps the rest of the memory fabric (session snapshot, vector memories) with the session documents, over the data plane's bus, and keeps sweeping when one part fails", async () => {
    const bus = createInProcessBus();
    const rateLimiter = createInProcessRateLimiter();
    const calls: { retentionDays: unknown; bus: Bus }[] = [];
    let failNext = true;
    let markSwept!: () => void;
    const swept = new Promise<void>((resolve) => (markSwept = resolve));
    const stores = {
      ...inMemoryStores({ apiKeys: new FakeApiKeyStore(), priceBook: createStaticPriceBookSource(TEST_PRICE_BOOK) }),
      expireMemory: async (_now: Date, retentionDays: unknown, sweepBus: Bus) => {
        calls.push({ retentionDays, bus: sweepBus });
        if (failNext) {
          failNext = false;
          throw new Error('database away');
        }
        markSwept();
        return 2;
      },
    };
    const app = await composeDataPlane(loadDataPlaneConfig({}), { stores, bus, rateLimiter }, { sessionDocumentSweepMs: 1 });
    await swept;
    await app.close();
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls[0]!.retentionDays).toEqual(MEMORY_RETENTION_DAYS);
    expect(calls[0]!.bus).toBe(bus);
    await Promise.all([bus.close(), rateLimiter.close()]);
  });
});
