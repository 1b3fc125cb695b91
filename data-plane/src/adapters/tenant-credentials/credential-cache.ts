import type { Bus, Unsubscribe } from '@switchyard/bus';
import { createTenantSnapshotCache } from '../../tenant-snapshot/tenant-snapshot-cache';
import { PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessageSchema } from '@switchyard/events/tenants';

/** Where decrypted credentials come from (the secret vault of `@switchyard/db/secret-vault`). */
export interface TenantCredentialSource {
  tenantsWithProviderCredentials(): Promise<string[]>;
  /** Provider name → plaintext secret. */
  revealProviderCredentials(tenantId: string): Promise<Map<string, string>>;
}

/** What the router asks on every upstream call: the tenant's own key for a provider, if any. */
export interface ProviderCredentialLookup {
  lookup(tenantId: string, provider: string): string | undefined;
}

export interface TenantCredentialCache extends ProviderCredentialLookup {
  /** Loads every tenant's credentials (start-up, before serving). */
  loadAll(): Promise<void>;
  /** Reloads one tenant; on failure keeps what it had and retries (see below). */
  reload(tenantId: string): Promise<void>;
  /** Listens for `switchyard:provider-credentials.changed`; resolves once the subscription is active. */
  subscribe(bus: Bus): Promise<Unsubscribe>;
}

export interface TenantCredentialCacheOptions {
  source: TenantCredentialSource;
  onReloadError?: (tenantId: string, error: unknown, attempt: number) => void;
  /** Delays between reload attempts after a failure (default 0.2 s, 1 s, 5 s). */
  retryDelaysMs?: readonly number[];
}

/**
 * Per-replica cache of decrypted provider credentials: the hot path is one Map lookup, never a
 * database read or a decryption. A failed reload keeps the previous credentials rather than
 * dropping them: falling back to the platform's own provider key would bill the wrong account.
 * Reloads of one tenant are ordered (see {@link createTenantSnapshotCache}).
 */
export function createTenantCredentialCache(options: TenantCredentialCacheOptions): TenantCredentialCache {
  const { source } = options;
  const cache = createTenantSnapshotCache<ReadonlyMap<string, string>>({
    channel: PROVIDER_CREDENTIALS_CHANGED_CHANNEL,
    messageSchema: providerCredentialsChangedMessageSchema,
    load: async (tenantId) => {
      const loaded = await source.revealProviderCredentials(tenantId);
      return loaded.size === 0 ? undefined : loaded;
    },
    // Each tenant is decrypted on its own, with the same retries as a reload.
    startup: { listTenants: () => source.tenantsWithProviderCredentials() },
    onReloadError: options.onReloadError,
    retryDelaysMs: options.retryDelaysMs,
  });
  return {
    lookup: (tenantId, provider) => cache.get(tenantId)?.get(provider),
    loadAll: cache.loadAll,
    reload: cache.reload,
    subscribe: cache.subscribe,
  };
}
