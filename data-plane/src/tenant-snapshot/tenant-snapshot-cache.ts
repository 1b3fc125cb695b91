import type { z } from 'zod';
import type { Bus, Unsubscribe } from '@switchyard/bus';

/** How the cache fills itself at start-up. */
export type TenantSnapshotStartup<T> =
  /** One read of every tenant's snapshot. */
  | { readonly loadEvery: () => Promise<ReadonlyMap<string, T>> }
  /** The tenants to load; each is then loaded like a reload (with retries). */
  | { readonly listTenants: () => Promise<readonly string[]> };

export interface TenantSnapshotCacheOptions<T> {
  /** Pub/sub channel announcing that one tenant's data changed. */
  channel: string;
  /** Shape of a message on `channel` (JSON); messages that do not match are ignored. */
  messageSchema: z.ZodType<{ tenantId: string }>;
  /** One tenant's snapshot; undefined when there is nothing to keep (the entry is dropped). */
  load(tenantId: string): Promise<T | undefined>;
  startup: TenantSnapshotStartup<T>;
  onReloadError?: (tenantId: string, error: unknown, attempt: number) => void;
  /** Delays between reload attempts after a failure (default 0.2 s, 1 s, 5 s). */
  retryDelaysMs?: readonly number[];
}

export interface TenantSnapshotCache<T> {
  /** The tenant's current snapshot: one Map lookup, never a read of the source. */
  get(tenantId: string): T | undefined;
  /** Loads every tenant; call before serving. */
  loadAll(): Promise<void>;
  /** Reloads one tenant; on failure keeps what it had and retries after each of `retryDelaysMs`. */
  reload(tenantId: string): Promise<void>;
  /** Reloads the tenant named by each message on `channel`; resolves once the subscription is active. */
  subscribe(bus: Bus): Promise<Unsubscribe>;
}

const DEFAULT_RETRY_DELAYS_MS = [200, 1000, 5000];

/**
 * Per-replica map of one snapshot per tenant, loaded at start and refreshed per tenant when the
 * bus names it. A failed reload keeps the previous snapshot (dropping it could silently widen
 * what a tenant is allowed, or bill the wrong account). Reloads of one tenant are ordered by a
 * generation counter, so a slow older reload never overwrites a newer one, and an older reload
 * stops retrying once a newer one has started.
 */
export function createTenantSnapshotCache<T>(options: TenantSnapshotCacheOptions<T>): TenantSnapshotCache<T> {
  const snapshots = new Map<string, T>();
  const generations = new Map<string, number>();
  const retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const { startup } = options;

  async function reload(tenantId: string): Promise<void> {
    const generation = (generations.get(tenantId) ?? 0) + 1;
    generations.set(tenantId, generation);
    for (let attempt = 0; ; attempt += 1) {
      try {
        const loaded = await options.load(tenantId);
        if (generations.get(tenantId) !== generation) return;
        if (loaded === undefined) snapshots.delete(tenantId);
        else snapshots.set(tenantId, loaded);
        return;
      } catch (error) {
        options.onReloadError?.(tenantId, error, attempt + 1);
        const delay = retryDelaysMs[attempt];
        if (delay === undefined || generations.get(tenantId) !== generation) return;
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  }

  async function loadEvery(load: () => Promise<ReadonlyMap<string, T>>): Promise<void> {
    const started = new Map(generations);
    const all = await load();
    for (const [tenantId, loaded] of all) {
      // A reload that started while loading everything is newer: keep its result.
      if ((generations.get(tenantId) ?? 0) === (started.get(tenantId) ?? 0)) snapshots.set(tenantId, loaded);
    }
  }

  return {
    get: (tenantId) => snapshots.get(tenantId),
    reload,
    async loadAll() {
      if ('loadEvery' in startup) return loadEvery(startup.loadEvery);
      const tenants = await startup.listTenants();
      await Promise.all(tenants.map((tenantId) => reload(tenantId)));
    },
    subscribe(bus) {
      return bus.subscribe(options.channel, (message) => {
        let tenantId: string;
        try {
          tenantId = options.messageSchema.parse(JSON.parse(message)).tenantId;
        } catch {
          return;
        }
        void reload(tenantId);
      });
    },
  };
}
