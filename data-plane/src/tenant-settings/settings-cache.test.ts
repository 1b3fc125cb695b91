import { describe, expect, it, vi } from 'vitest';
import { createInProcessBus } from '@switchyard/bus';
import { TENANT_SETTINGS_CHANGED_CHANNEL, tenantSettingsChangedMessage } from '@switchyard/events/tenants';
import { createTenantSettingsCache, type TenantSettingsSource } from './settings-cache';
import { DEFAULT_TENANT_SETTINGS, type TenantSettings } from '@switchyard/db/tenant-settings';

const settings = (partial: Partial<TenantSettings>): TenantSettings => ({ ...DEFAULT_TENANT_SETTINGS, ...partial });

function fakeSource(initial: Record<string, TenantSettings>) {
  const rows = new Map(Object.entries(initial));
  let failures = 0;
  const source: TenantSettingsSource = {
    loadAll: () => Promise.resolve(new Map(rows)),
    load: (tenantId) => {
      if (failures > 0) {
        failures -= 1;
        return Promise.reject(new Error('database unavailable'));
      }
      return Promise.resolve(rows.get(tenantId) ?? null);
    },
  };
  return { source, rows, failNext: (n: number) => (failures = n) };
}

describe('tenant settings cache', () => {
  it('serves loaded settings, defaults for unknown tenants, and reloads a tenant named on the bus', async () => {
    const { source, rows } = fakeSource({ a: settings({ allowedRegions: ['eu-west-1'], requestsPerMinute: 5 }) });
    const cache = createTenantSettingsCache({ source });
    const bus = createInProcessBus();
    await cache.subscribe(bus);
    await cache.loadAll();
    expect(cache.settingsOf('a')).toMatchObject({ allowedRegions: ['eu-west-1'], requestsPerMinute: 5 });
    expect(cache.settingsOf('unknown')).toBe(DEFAULT_TENANT_SETTINGS);

    rows.set('a', settings({ defaultDataClassification: 'restricted' }));
    await bus.publish(TENANT_SETTINGS_CHANGED_CHANNEL, 'not json');
    await bus.publish(TENANT_SETTINGS_CHANGED_CHANNEL, JSON.stringify({ tenantId: '' }));
    await bus.publish(TENANT_SETTINGS_CHANGED_CHANNEL, tenantSettingsChangedMessage('a'));
    await vi.waitFor(() => expect(cache.settingsOf('a').defaultDataClassification).toBe('restricted'));
    expect(cache.settingsOf('a').allowedRegions).toEqual([]);

    rows.delete('a');
    await cache.reload('a');
    expect(cache.settingsOf('a')).toBe(DEFAULT_TENANT_SETTINGS);
    await bus.close();
  });

  it('keeps the previous settings while the source fails, and retries', async () => {
    const { source, rows, failNext } = fakeSource({ a: settings({ allowedRegions: ['eu-west-1'] }) });
    const errors: number[] = [];
    const cache = createTenantSettingsCache({ source, retryDelaysMs: [1, 1], onReloadError: (_tenant, _error, attempt) => errors.push(attempt) });
    await cache.loadAll();
    rows.set('a', settings({ allowedRegions: ['eu-central-1'] }));
    failNext(3);
    await cache.reload('a');
    expect(errors).toEqual([1, 2, 3]);
    expect(cache.settingsOf('a').allowedRegions).toEqual(['eu-west-1']);
    failNext(1);
    await cache.reload('a');
    expect(cache.settingsOf('a').allowedRegions).toEqual(['eu-central-1']);
  });

  it('a slow older reload never overwrites a newer one', async () => {
    let release: (() => void) | undefined;
    let calls = 0;
    const cache = createTenantSettingsCache({
      source: {
        loadAll: () => Promise.resolve(new Map()),
        load: async () => {
          calls += 1;
          if (calls === 1) {
            await new Promise<void>((resolve) => (release = resolve));
            return settings({ requestsPerMinute: 1 });
          }
          return settings({ requestsPerMinute: 2 });
        },
      },
    });
    const older = cache.reload('a');
    await cache.reload('a');
    release?.();
    await older;
    expect(cache.settingsOf('a').requestsPerMinute).toBe(2);
  });
});
