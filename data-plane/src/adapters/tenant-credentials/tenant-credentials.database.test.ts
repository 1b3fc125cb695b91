import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSecretVault } from '@switchyard/db/secret-vault';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { createLocalKms, generateMasterKey } from '@switchyard/identity/envelope';
import { createInProcessBus } from '@switchyard/bus';
import { FakeApiKeyStore } from '../../test-support/data-plane-harness';
import { PLATFORM_UPSTREAM_KEY, startDataPlaneBeforeRecordingUpstream, type DataPlaneBeforeRecordingUpstream } from '../../test-support/recording-upstream';
import { PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessage } from '@switchyard/events/tenants';
import { createTenantCredentialCache } from './credential-cache';

/** The real chain: credentials sealed in Postgres → decrypted into the replica's cache at start → Authorization upstream. */
describe('tenant provider credentials from Postgres to the upstream', () => {
  const bus = createInProcessBus();
  const keys = new FakeApiKeyStore();
  const kms = createLocalKms({ masterKeys: { k1: generateMasterKey() }, activeKeyId: 'k1' });
  let database: TestDatabase;
  let running: DataPlaneBeforeRecordingUpstream;
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
    cache = createTenantCredentialCache({ source: vault });
    await cache.subscribe(bus);
    await cache.loadAll();
    running = await startDataPlaneBeforeRecordingUpstream({ apiKeys: keys, bus, providerCredentials: cache });
  });

  afterAll(async () => {
    await running?.close();
    await bus.close();
    await database?.drop();
  });

  async function authorizationSeenFor(secret: string): Promise<string | undefined> {
    const response = await fetch(running.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'up-model', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('[DONE]');
    return running.upstream.seen.at(-1)?.authorization;
  }

  it("sends each tenant's stored credential, or the provider's key, and follows a change announced on the bus", async () => {
    expect(await authorizationSeenFor(tenantA.secret)).toBe('Bearer sk-from-postgres-tenant-a-1111');
    expect(await authorizationSeenFor(tenantB.secret)).toBe(`Bearer ${PLATFORM_UPSTREAM_KEY}`);

    await createSecretVault({ db: database.db, kms }).setProviderCredential(tenantB.record.tenantId, 'upstream', 'sk-from-postgres-tenant-b-2222');
    await bus.publish(PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessage(tenantB.record.tenantId));
    await vi.waitFor(() => expect(cache.lookup(tenantB.record.tenantId, 'upstream')).toBe('sk-from-postgres-tenant-b-2222'));
    expect(await authorizationSeenFor(tenantB.secret)).toBe('Bearer sk-from-postgres-tenant-b-2222');
    expect(await authorizationSeenFor(tenantA.secret)).toBe('Bearer sk-from-postgres-tenant-a-1111');
  });
});
