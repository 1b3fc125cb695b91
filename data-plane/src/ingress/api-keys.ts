import { API_KEY_CHANGED_CHANNEL } from '../accounting/usage-event';
import type { Bus, Unsubscribe } from '../bus/bus';

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

/** What the resolver needs from `@switchyard/db`'s Database. */
export interface ApiKeyStore {
  resolveApiKey(keyHash: string): Promise<
    | {
        id: string;
        tenantId: string;
        scopes: readonly string[];
        expiresAt: Date | string | null;
        revokedAt: Date | string | null;
      }
    | null
  >;
}

export interface CachedApiKeyResolverOptions {
  /** Capped at 1000 ms. */
  ttlMs?: number;
  maxEntries?: number;
  clock?: () => number;
}

const MAX_TTL_MS = 1_000;

const toDate = (value: Date | string | null): Date | null => (value === null ? null : value instanceof Date ? value : new Date(value));

export function createDatabaseApiKeyResolver(db: ApiKeyStore, options: CachedApiKeyResolverOptions = {}): Required<ApiKeyResolver> {
  const ttlMs = Math.min(options.ttlMs ?? MAX_TTL_MS, MAX_TTL_MS);
  const maxEntries = options.maxEntries ?? 10_000;
  const clock = options.clock ?? Date.now;
  const cache = new Map<string, { record: ApiKeyRecord; expiresAt: number }>();
  const inFlight = new Map<string, Promise<ApiKeyRecord | null>>();
  // Bumped by evict(): a lookup that started before an eviction must not repopulate the cache.
  let generation = 0;

  async function load(keyHash: string): Promise<ApiKeyRecord | null> {
    const startedAt = generation;
    const row = await db.resolveApiKey(keyHash);
    if (!row) return null;
    const record: ApiKeyRecord = {
      id: row.id,
      tenantId: row.tenantId,
      scopes: [...row.scopes],
      expiresAt: toDate(row.expiresAt),
      revokedAt: toDate(row.revokedAt),
    };
    if (startedAt === generation && ttlMs > 0) {
      if (cache.size >= maxEntries) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      cache.set(keyHash, { record, expiresAt: clock() + ttlMs });
    }
    return record;
  }

  return {
    async resolve(keyHash) {
      const hit = cache.get(keyHash);
      if (hit && hit.expiresAt > clock()) return hit.record;
      if (hit) cache.delete(keyHash);
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
