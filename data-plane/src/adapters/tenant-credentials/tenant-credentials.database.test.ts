import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSecretVault } from '@switchyard/db/secret-vault';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { createLocalKms, generateMasterKey } from '@switchyard/identity/envelope';
import { createStaticPriceBookSource } from '../../accounting/price-book';
import { createDataPlane, type DataPlane } from '../../app';
import { createInProcessBus } from '../../bus/in-process-bus';
import { createInProcessRateLimiter } from '../../ingress/rate-limit/in-process-rate-limiter';
import { FakeApiKeyStore, TEST_PRICE_BOOK } from '../../test-support/data-plane-harness';
import { startRecordingUpstream } from '../../test-support/recording-upstream';
import { PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessage } from './channel';
import { createTenantCredentialCache } from './credential-cache';

/** The real chain: credentials sealed in Postgres → decrypted into the replica's cache at start → Authorization upstream. */
describe('tenant provider credentials from Postgres to the upstream', () => {
  const bus = createInProcessBus();
  const rateLimiter = createInProcessRateLimiter();
  const keys = new FakeApiKeyStore();
  const kms = createLocalKms({ masterKeys: { k1: generateMasterKey() }, activeKeyId: 'k1' });
  let database: TestDatabase;
  let upstream: Awaited<ReturnType<typeof startRecordingUpstream>>;
  let dataPlane: DataPlane;
  let url: string;
  let tenantA: ReturnType<FakeApiKeyStore['add']>;
  let tenantB: ReturnType<FakeApiKeyStore['add']>;
  let cache: ReturnType<typeof createTenantCredentialCache>;

  beforeAll(async () => {
    database = await createTestDatabase();
    const vault = createSecretVault({ db: database.db, kms });
    const [a, b] = await Promise.all(['dp-cred-a', 'dp-cred-b'].map((slug) => database.db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }))));
    tenantA = keys.add({ tenantId: a!.id });
    tenantB = keys.add({ tenantId: b!.id });
    await vault.setProviderCredential(a!.id, 'upstream', 'sk-from-postgres-tenant-a-1111');
    upstream = await startRecordingUpstream();
    cache = createTenantCredentialCache({ source: vault });
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
    await database?.drop();
  });

  async function authorizationSeenFor(secret: string): Promise<string | undefined> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'up-model', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('[DONE]');
    return upstream.seen.at(-1)?.authorization;
  }

  it("sends each tenant's stored credential, or the provider's key, and follows a change announced on the bus", async () => {
    expect(await authorizationSeenFor(tenantA.secret)).toBe('Bearer sk-from-postgres-tenant-a-1111');
    expect(await authorizationSeenFor(tenantB.secret)).toBe('Bearer sk-platform-configured-key');

    await createSecretVault({ db: database.db, kms }).setProviderCredential(tenantB.record.tenantId, 'upstream', 'sk-from-postgres-tenant-b-2222');
    await bus.publish(PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessage(tenantB.record.tenantId));
    await vi.waitFor(() => expect(cache.lookup(tenantB.record.tenantId, 'upstream')).toBe('sk-from-postgres-tenant-b-2222'));
    expect(await authorizationSeenFor(tenantB.secret)).toBe('Bearer sk-from-postgres-tenant-b-2222');
    expect(await authorizationSeenFor(tenantA.secret)).toBe('Bearer sk-from-postgres-tenant-a-1111');
  });
});
