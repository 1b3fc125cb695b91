import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { createInProcessBus } from '@switchyard/bus';
import { TENANT_SETTINGS_CHANGED_CHANNEL, tenantSettingsChangedMessage } from '@switchyard/events/tenants';
import { createDatabaseTenantSettingsSource } from './database-settings-source';
import { createTenantSettingsCache } from './settings-cache';
import { DEFAULT_TENANT_SETTINGS } from '@switchyard/db/tenant-settings';

/** The real chain: settings columns in Postgres → the replica's cache at start → reloaded on the bus event. */
describe('tenant settings from Postgres', () => {
  const bus = createInProcessBus();
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await bus.close();
    await database?.drop();
  });

  it('loads every tenant at start with the column defaults, and reloads one tenant on tenant-settings.changed', async () => {
    const [a, b] = await Promise.all(['dp-settings-a', 'dp-settings-b'].map((slug) => database.db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }))));
    await database.db.withPlatform((tx) => tx.tenant.update({ where: { id: a!.id }, data: { allowedRegions: ['eu-west-1'], defaultDataClassification: 'confidential', tokensPerDay: 5000, homeRegion: 'region-a', regionPinned: true } }));
    const cache = createTenantSettingsCache({ source: createDatabaseTenantSettingsSource(database.db) });
    await cache.subscribe(bus);
    await cache.loadAll();
    expect(cache.settingsOf(a!.id)).toEqual({ allowedRegions: ['eu-west-1'], homeRegion: 'region-a', regionPinned: true, defaultDataClassification: 'confidential', requestsPerMinute: null, tokensPerMinute: null, tokensPerDay: 5000 });
    expect(cache.settingsOf(b!.id)).toEqual(DEFAULT_TENANT_SETTINGS);

    await database.db.withPlatform((tx) => tx.tenant.update({ where: { id: b!.id }, data: { requestsPerMinute: 7, allowedRegions: ['us-east-1', 'us-west-2'] } }));
    expect(cache.settingsOf(b!.id).requestsPerMinute).toBeNull();
    await bus.publish(TENANT_SETTINGS_CHANGED_CHANNEL, tenantSettingsChangedMessage(b!.id));
    await vi.waitFor(() => expect(cache.settingsOf(b!.id)).toMatchObject({ requestsPerMinute: 7, allowedRegions: ['us-east-1', 'us-west-2'] }));
    expect(cache.settingsOf(a!.id).tokensPerDay).toBe(5000);
  });

  it('the database refuses values outside the enum, non-positive quotas, and more than 32 regions', async () => {
    const tenant = await database.db.withPlatform((tx) => tx.tenant.create({ data: { slug: 'dp-settings-c', name: 'c' }, select: { id: true } }));
    const update = (data: Record<string, unknown>) => database.db.withPlatform((tx) => tx.tenant.update({ where: { id: tenant.id }, data }));
    await expect(update({ defaultDataClassification: 'secret' })).rejects.toThrow();
    await expect(update({ requestsPerMinute: 0 })).rejects.toThrow();
    await expect(update({ tokensPerDay: -1 })).rejects.toThrow();
    await expect(update({ allowedRegions: Array.from({ length: 33 }, (_, i) => `r${i}`) })).rejects.toThrow();
    expect(await createDatabaseTenantSettingsSource(database.db).load(tenant.id)).toEqual(DEFAULT_TENANT_SETTINGS);
  });
});
