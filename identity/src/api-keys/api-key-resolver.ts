import { API_KEY_CHANGED_CHANNEL } from '@switchyard/events/tenants';
import type { Bus, Unsubscribe } from '@switchyard/bus';

/**
 * The API key port: resolve a key by the SHA-256 of its secret. The database-backed resolver
 * caches found keys briefly (≤ 1 s) and evicts on API_KEY_CHANGED_CHANNEL, so a revocation
 * takes effect at once on every replica that hears it and within a second on any that do not.
 */
export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  scopes: readonly string[];
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** Whether a found key may be used at `now`: revocation and expiry take effect at their instant. */
export function apiKeyStatus(record: Pick<ApiKeyRecord, 'expiresAt' | 'revokedAt'>, now: Date): 'active' | 'revoked' | 'expired' {
  if (record.revokedAt && record.revokedAt.getTime() <= now.getTime()) return 'revoked';
  if (record.expiresAt && record.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

export interface ApiKeyResolver {
  resolve(keyHash: string): Promise<ApiKeyRecord | null>;
  /** Drop any cached entry for this key (called when the bus says it changed). */
  evict?(keyHash: string): void;
}

type StoredApiKey = {
  id: string;
  tenantId: string;
  scopes: readonly string[];
  expiresAt: Date | string | null;
  revokedAt: Date | string | null;
};

/** What the resolver needs from `@switchyard/db`'s Database (structurally: the database depends on identity, not the reverse). */
export interface ApiKeyStore {
  resolveApiKey(keyHash: string): Promise<StoredApiKey | null>;
  /** Many keys at once (found ones by hash); with it, keys in use are re-validated in the background. */
  resolveApiKeys?(keyHashes: readonly string[]): Promise<ReadonlyMap<string, StoredApiKey>>;
}

export interface CachedApiKeyResolverOptions {
  /** Capped at 1000 ms. */
  ttlMs?: number;
  maxEntries?: number;
  clock?: () => number;
  /**
   * How often keys in use are re-validated in one batch lookup (default: half the TTL; 0: never,
   * e.g. in tests that call revalidate() themselves). Needs the store's resolveApiKeys.
   */
  revalidateEveryMs?: number;
  /** A key unused for this long is no longer re-validated and drops out of the cache (default 5 min). */
  keepWarmMs?: number;
}

const MAX_TTL_MS = 1_000;
const DEFAULT_KEEP_WARM_MS = 5 * 60_000;
/** Keys per batch lookup (the database's own bound is higher). */
const REVALIDATE_BATCH = 500;

const toDate = (value: Date | string | null): Date | null => (value === null ? null : value instanceof Date ? value : new Date(value));

const recordOf = (row: StoredApiKey): ApiKeyRecord => ({
  id: row.id,
  tenantId: row.tenantId,
  scopes: [...row.scopes],
  expiresAt: toDate(row.expiresAt),
  revokedAt: toDate(row.revokedAt),
});

/**
 * Caches found keys for at most `ttlMs` (≤ 1 s): an entry is never served more than that after the
 * database read it came from started, so a revocation nobody announced still takes effect within a
 * second. So that a key in use does not pay a database lookup on the request path once a second
 * (or on every request, when it is used less often than that), keys used within `keepWarmMs` are
 * re-validated in the background every `revalidateEveryMs` in one batch lookup, which renews
 * their entries (or drops them, when the key is gone).
 */
export function createDatabaseApiKeyResolver(
  db: ApiKeyStore,
  options: CachedApiKeyResolverOptions = {},
): Required<ApiKeyResolver> & { revalidate(): Promise<void> } {
  const ttlMs = Math.min(options.ttlMs ?? MAX_TTL_MS, MAX_TTL_MS);
  const maxEntries = options.maxEntries ?? 10_000;
  const clock = options.clock ?? Date.now;
  const keepWarmMs = options.keepWarmMs ?? DEFAULT_KEEP_WARM_MS;
  const revalidateEveryMs = db.resolveApiKeys && ttlMs > 0 ? (options.revalidateEveryMs ?? Math.floor(ttlMs / 2)) : 0;
  const cache = new Map<string, { record: ApiKeyRecord; expiresAt: number; usedAt: number }>();
  const inFlight = new Map<string, Promise<ApiKeyRecord | null>>();
  // Bumped by evict(): a lookup that started before an eviction must not repopulate the cache.
  let generation = 0;
  let timer: NodeJS.Timeout | undefined;
  let revalidating: Promise<void> | undefined;

  function remember(keyHash: string, record: ApiKeyRecord, readStartedAt: number, usedAt: number): void {
    if (!cache.has(keyHash) && cache.size >= maxEntries) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(keyHash, { record, expiresAt: readStartedAt + ttlMs, usedAt });
    if (revalidateEveryMs > 0 && !timer) {
      timer = setInterval(() => void revalidate(), revalidateEveryMs);
      timer.unref();
    }
  }

  async function load(keyHash: string): Promise<ApiKeyRecord | null> {
    const startedAt = generation;
    const readStartedAt = clock();
    const row = await db.resolveApiKey(keyHash);
    if (!row) return null;
    const record = recordOf(row);
    if (startedAt === generation && ttlMs > 0) remember(keyHash, record, readStartedAt, clock());
    return record;
  }

  async function revalidateOnce(): Promise<void> {
    const resolveMany = db.resolveApiKeys?.bind(db);
    if (!resolveMany) return;
    const now = clock();
    const warm: string[] = [];
    for (const [keyHash, entry] of cache) {
      // Expired: unused for keepWarmMs, or earlier rounds failed (database down or closed). The
      // request path reads it again on its next use; with nothing left the timer stops.
      if (entry.expiresAt <= now) cache.delete(keyHash);
      else if (now - entry.usedAt <= keepWarmMs) warm.push(keyHash);
    }
    if (warm.length === 0) {
      // Nothing in use: stop until a key is cached again.
      clearInterval(timer);
      timer = undefined;
      return;
    }
    for (let i = 0; i < warm.length; i += REVALIDATE_BATCH) {
      const batch = warm.slice(i, i + REVALIDATE_BATCH);
      const startedAt = generation;
      const readStartedAt = clock();
      const found = await resolveMany(batch);
      if (startedAt !== generation) continue; // an eviction raced this read: let those keys load afresh
      for (const keyHash of batch) {
        const entry = cache.get(keyHash);
        if (!entry) continue;
        const row = found.get(keyHash);
        if (row) remember(keyHash, recordOf(row), readStartedAt, entry.usedAt);
        else cache.delete(keyHash);
      }
    }
  }

  function revalidate(): Promise<void> {
    // One at a time; a failed round leaves entries to expire, and the request path loads them again.
    revalidating ??= revalidateOnce()
      .catch(() => undefined)
      .finally(() => {
        revalidating = undefined;
      });
    return revalidating;
  }

  return {
    async resolve(keyHash) {
      const hit = cache.get(keyHash);
      if (hit) {
        const now = clock();
        if (hit.expiresAt > now) {
          hit.usedAt = now;
          return hit.record;
        }
        cache.delete(keyHash);
      }
      let pending = inFlight.get(keyHash);
      if (!pending) {
        const loading: Promise<ApiKeyRecord | null> = load(keyHash).finally(() => {
          if (inFlight.get(keyHash) === loading) inFlight.delete(keyHash);
        });
        inFlight.set(keyHash, loading);
        pending = loading;
      }
      return pending;
    },
    evict(keyHash) {
      generation += 1;
      cache.delete(keyHash);
      inFlight.delete(keyHash);
    },
    revalidate,
  };
}

/** Evicts from `resolver` whenever the bus announces a key change. */
export async function subscribeApiKeyEviction(bus: Bus, resolver: ApiKeyResolver): Promise<Unsubscribe> {
  return bus.subscribe(API_KEY_CHANGED_CHANNEL, (message) => {
    let keyHash: unknown;
    try {
      keyHash = (JSON.parse(message) as { keyHash?: unknown }).keyHash;
    } catch {
      return;
    }
    if (typeof keyHash === 'string') resolver.evict?.(keyHash);
  });
}
