import type { Bus, Unsubscribe } from '../../bus/bus';
import { PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessageSchema } from './channel';

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
 * Reloads of one tenant are ordered by a generation counter, so a slow older reload never
 * overwrites a newer one.
 */
export function createTenantCredentialCache(options: TenantCredentialCacheOptions): TenantCredentialCache {
  const credentials = new Map<string, ReadonlyMap<string, string>>();
  const generations = new Map<string, number>();
  const retryDelaysMs = options.retryDelaysMs ?? [200, 1000, 5000];

  async function reload(tenantId: string): Promise<void> {
    const generation = (generations.get(tenantId) ?? 0) + 1;
    generations.set(tenantId, generation);
    for (let attempt = 0; ; attempt += 1) {
      try {
        const loaded = await options.source.revealProviderCredentials(tenantId);
        if (generations.get(tenantId) !== generation) return;
        if (loaded.size === 0) credentials.delete(tenantId);
        else credentials.set(tenantId, loaded);
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
    lookup: (tenantId, provider) => credentials.get(tenantId)?.get(provider),
    reload,
    async loadAll() {
      const tenants = await options.source.tenantsWithProviderCredentials();
      await Promise.all(tenants.map((tenantId) => reload(tenantId)));
    },
    subscribe(bus) {
      return bus.subscribe(PROVIDER_CREDENTIALS_CHANGED_CHANNEL, (message) => {
        let tenantId: string;
        try {
          tenantId = providerCredentialsChangedMessageSchema.parse(JSON.parse(message)).tenantId;
        } catch {
          return;
        }
        void reload(tenantId);
      });
    },
  };
}
