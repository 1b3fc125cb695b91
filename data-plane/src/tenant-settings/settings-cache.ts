import type { Bus, Unsubscribe } from '../bus/bus';
import { TENANT_SETTINGS_CHANGED_CHANNEL, tenantSettingsChangedMessageSchema } from './channel';
import { DEFAULT_TENANT_SETTINGS, type TenantSettings } from './tenant-settings';

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
 * silently vanish); reloads of one tenant are ordered by a generation counter, so a slow older
 * reload never overwrites a newer one. Unknown tenants get {@link DEFAULT_TENANT_SETTINGS}.
 */
export function createTenantSettingsCache(options: TenantSettingsCacheOptions): TenantSettingsCache {
  const settings = new Map<string, TenantSettings>();
  const generations = new Map<string, number>();
  const retryDelaysMs = options.retryDelaysMs ?? [200, 1000, 5000];

  async function reload(tenantId: string): Promise<void> {
    const generation = (generations.get(tenantId) ?? 0) + 1;
    generations.set(tenantId, generation);
    for (let attempt = 0; ; attempt += 1) {
      try {
        const loaded = await options.source.load(tenantId);
        if (generations.get(tenantId) !== generation) return;
        if (loaded) settings.set(tenantId, loaded);
        else settings.delete(tenantId);
        return;
      } catch (error) {
        options.onReloadError?.(tenantId, error, attempt + 1);
        const delay = retryDelaysMs[attempt];
        if (delay === undefined || generations.get(tenantId) !== generation) return;
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  }

  return {
    settingsOf: (tenantId) => settings.get(tenantId) ?? DEFAULT_TENANT_SETTINGS,
    reload,
    async loadAll() {
      const started = new Map(generations);
      const all = await options.source.loadAll();
      for (const [tenantId, loaded] of all) {
        // A reload that started while loading everything is newer: keep its result.
        if ((generations.get(tenantId) ?? 0) === (started.get(tenantId) ?? 0)) settings.set(tenantId, loaded);
      }
    },
    subscribe(bus) {
      return bus.subscribe(TENANT_SETTINGS_CHANGED_CHANNEL, (message) => {
        let tenantId: string;
        try {
          tenantId = tenantSettingsChangedMessageSchema.parse(JSON.parse(message)).tenantId;
        } catch {
          return;
        }
        void reload(tenantId);
      });
    },
  };
}

/** A fixed map, for tests and deployments without a database. */
export function createStaticTenantSettings(entries: Record<string, Partial<TenantSettings>>): TenantSettingsLookup {
  const map = new Map(Object.entries(entries).map(([tenantId, partial]) => [tenantId, { ...DEFAULT_TENANT_SETTINGS, ...partial }]));
  return { settingsOf: (tenantId) => map.get(tenantId) ?? DEFAULT_TENANT_SETTINGS };
}
