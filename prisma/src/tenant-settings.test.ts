import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryTestDatabase, type MemoryTestDatabase } from './testing';
import { DATA_CLASSIFICATIONS, DEFAULT_TENANT_SETTINGS, MAX_ALLOWED_REGIONS, mayServeInRegion, TENANT_SETTINGS_SELECT, tenantSettingsOf } from './tenant-settings';

/** The contract and the table agree: what the constants allow the CHECKs accept, one step past them they refuse, and the column defaults read as the defaults. */
describe('tenant settings as stored', () => {
  let database: MemoryTestDatabase;
  let tenantId: string;

  beforeAll(async () => {
    database = await createMemoryTestDatabase();
    tenantId = (await database.db.withPlatform((tx) => tx.tenant.create({ data: { slug: 'settings-contract', name: 'settings' }, select: { id: true } }))).id;
  });
  afterAll(async () => database?.drop());

  const read = async () => tenantSettingsOf((await database.db.withPlatform((tx) => tx.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: TENANT_SETTINGS_SELECT }))));
  const update = (data: Record<string, unknown>) => database.db.withPlatform((tx) => tx.tenant.update({ where: { id: tenantId }, data }));

  it('a tenant nobody configured reads as DEFAULT_TENANT_SETTINGS', async () => {
    expect(await read()).toEqual(DEFAULT_TENANT_SETTINGS);
  });

  it.each(DATA_CLASSIFICATIONS)('the database accepts the classification %s', async (classification) => {
    await update({ defaultDataClassification: classification });
    expect((await read()).defaultDataClassification).toBe(classification);
  });

  it('the database accepts MAX_ALLOWED_REGIONS regions and refuses one more', async () => {
    const regions = Array.from({ length: MAX_ALLOWED_REGIONS + 1 }, (_, i) => `region-${i}`);
    await update({ allowedRegions: regions.slice(0, MAX_ALLOWED_REGIONS) });
    expect((await read()).allowedRegions).toHaveLength(MAX_ALLOWED_REGIONS);
    await expect(update({ allowedRegions: regions })).rejects.toThrow();
  });

  it('reads a classification outside the enum (a future widening) as the default one', () => {
    const row = { id: tenantId, allowedRegions: [], homeRegion: null, regionPinned: false, defaultDataClassification: 'top-secret', requestsPerMinute: null, tokensPerMinute: null, tokensPerDay: null };
    expect(tenantSettingsOf(row)).toEqual(DEFAULT_TENANT_SETTINGS);
  });

  it('stores a home region and its pin; refuses a pin without a home and a home that is no region token', async () => {
    await update({ homeRegion: 'region-a', regionPinned: true });
    expect(await read()).toMatchObject({ homeRegion: 'region-a', regionPinned: true });
    await expect(update({ homeRegion: null })).rejects.toThrow();
    await expect(update({ homeRegion: 'region a; drop' })).rejects.toThrow();
    await update({ regionPinned: false, homeRegion: null });
    expect(await read()).toMatchObject({ homeRegion: null, regionPinned: false });
  });
});

describe('mayServeInRegion', () => {
  it('a pinned tenant only in its home region; an unpinned one anywhere; a data plane without a region name serves everyone', () => {
    const pinned = { homeRegion: 'region-a', regionPinned: true };
    expect(mayServeInRegion(pinned, 'region-a')).toBe(true);
    expect(mayServeInRegion(pinned, 'region-b')).toBe(false);
    expect(mayServeInRegion({ homeRegion: 'region-a', regionPinned: false }, 'region-b')).toBe(true);
    expect(mayServeInRegion(DEFAULT_TENANT_SETTINGS, 'region-b')).toBe(true);
    expect(mayServeInRegion(pinned, undefined)).toBe(true);
  });
});
