import type { Bus, Unsubscribe } from '@switchyard/bus';
import { createTenantSnapshotCache } from '../tenant-snapshot/tenant-snapshot-cache';
import { TENANT_SETTINGS_CHANGED_CHANNEL, tenantSettingsChangedMessageSchema } from '@switchyard/events/tenants';
import { DEFAULT_TENANT_SETTINGS, type TenantSettings } from '@switchyard/db/tenant-settings';

/** Where settings come from (Postgres: database-settings-source.ts). */
export interface TenantSettingsSource {
  /** Every tenant's settings (start-up). */
  loadAll(): Promise<Map<string, TenantSettings>>;
  /** One tenant's settings; null when the tenant does not exist (any more). */
  load(tenantId: string): Promise<TenantSettings | null>;
}

/** What the hot path asks: one Map lookup, never a database read. */
export interface TenantSettingsLookup {
  settingsOf(tenantId: string): TenantSettings;
}

export interface TenantSettingsCache extends TenantSettingsLookup {
  /** Loads every tenant's settings; call before serving. */
  loadAll(): Promise<void>;
  /** Reloads one tenant; on failure keeps what it had and retries. */
  reload(tenantId: string): Promise<void>;
  /** Listens for `switchyard:tenant-settings.changed`; resolves once the subscription is active. */
  subscribe(bus: Bus): Promise<Unsubscribe>;
}

export interface TenantSettingsCacheOptions {
  source: TenantSettingsSource;
  onReloadError?: (tenantId: string, error: unknown, attempt: number) => void;
  /** Delays between reload attempts after a failure (default 0.2 s, 1 s, 5 s). */
  retryDelaysMs?: readonly number[];
}

/**
 * Per-replica cache of tenant settings, loaded at start and refreshed per tenant on the bus
 * event. A failed reload keeps the previous settings (restrictions a tenant asked for must not
 * silently vanish); reloads of one tenant are ordered (see {@link createTenantSnapshotCache}).
 * Unknown tenants get {@link DEFAULT_TENANT_SETTINGS}.
 */
export function createTenantSettingsCache(options: TenantSettingsCacheOptions): TenantSettingsCache {
  const { source } = options;
  const cache = createTenantSnapshotCache<TenantSettings>({
    channel: TENANT_SETTINGS_CHANGED_CHANNEL,
    messageSchema: tenantSettingsChangedMessageSchema,
    load: async (tenantId) => (await source.load(tenantId)) ?? undefined,
    startup: { loadEvery: () => source.loadAll() },
    onReloadError: options.onReloadError,
    retryDelaysMs: options.retryDelaysMs,
  });
  return {
    settingsOf: (tenantId) => cache.get(tenantId) ?? DEFAULT_TENANT_SETTINGS,
    loadAll: cache.loadAll,
    reload: cache.reload,
    subscribe: cache.subscribe,
  };
}

/** A fixed map, for tests and deployments without a database. */
export function createStaticTenantSettings(entries: Record<string, Partial<TenantSettings>>): TenantSettingsLookup {
  const map = new Map(Object.entries(entries).map(([tenantId, partial]) => [tenantId, { ...DEFAULT_TENANT_SETTINGS, ...partial }]));
  return { settingsOf: (tenantId) => map.get(tenantId) ?? DEFAULT_TENANT_SETTINGS };
}
