import { MEMBER_CHANGED_CHANNEL } from '@switchyard/events/tenants';
import { ROLES, type Role } from './internal-token';

/**
 * Who belongs to which tenant, for callers that authenticate people (OIDC) rather than keys:
 * the gateway building a principal, the data plane accepting a user's JWT. Answers come from
 * the members table through a store port and are cached, so the steady state never waits on
 * the database: a fresh entry is served as is, a stale one is served while one background
 * reload runs, and only a cold or expired entry waits for the store. A membership change
 * announced on MEMBER_CHANGED_CHANNEL (`@switchyard/events/tenants`) clears the cache at once.
 */
export interface Membership {
  tenantId: string;
  role: Role;
}

/** What the directory needs from `@switchyard/db`'s Database. */
export interface MembershipStore {
  resolveMemberships(subject: string, email: string | null): Promise<ReadonlyArray<{ tenantId: string; role: string }>>;
}

export interface MembershipDirectory {
  /** The person's memberships, oldest first; empty when they belong to no tenant. */
  membershipsOf(subject: string, email: string | null): Promise<readonly Membership[]>;
  /** Forget every cached answer (a member was added, changed or removed somewhere). */
  evictAll(): void;
}

export interface CachedMembershipDirectoryOptions {
  /** How long an answer is served without reloading. Default 5 s. */
  freshMs?: number;
  /** How long a stale answer may still be served while it reloads. Default 60 s. */
  staleMs?: number;
  maxEntries?: number;
  clock?: () => number;
  /** Called when a background reload fails (the stale answer stays until it expires). */
  onReloadError?: (error: unknown) => void;
}

/** The pub/sub half of the data plane's Bus, structurally (identity does not depend on the data plane). */
export interface MembershipChangeSource {
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
}

interface Entry {
  memberships: readonly Membership[];
  loadedAt: number;
  reloading: boolean;
}

const isRole = (role: string): role is Role => (ROLES as readonly string[]).includes(role);

export function createCachedMembershipDirectory(store: MembershipStore, options: CachedMembershipDirectoryOptions = {}): MembershipDirectory {
  const freshMs = options.freshMs ?? 5_000;
  const staleMs = options.staleMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const clock = options.clock ?? Date.now;
  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<readonly Membership[]>>();
  // Bumped by evictAll(): a load that started before an eviction must not repopulate the cache.
  let generation = 0;

  async function load(key: string, subject: string, email: string | null): Promise<readonly Membership[]> {
    const startedAt = generation;
    const rows = await store.resolveMemberships(subject, email);
    const memberships = rows.flatMap((row) => (isRole(row.role) ? [{ tenantId: row.tenantId, role: row.role }] : []));
    if (startedAt === generation) {
      if (!cache.has(key) && cache.size >= maxEntries) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      cache.set(key, { memberships, loadedAt: clock(), reloading: false });
    }
    return memberships;
  }

  function loadOnce(key: string, subject: string, email: string | null): Promise<readonly Membership[]> {
    let pending = inFlight.get(key);
    if (!pending) {
      const loading = load(key, subject, email).finally(() => {
        if (inFlight.get(key) === loading) inFlight.delete(key);
      });
      inFlight.set(key, loading);
      pending = loading;
    }
    return pending;
  }

  return {
    async membershipsOf(subject, email) {
      const key = JSON.stringify([subject, email?.toLowerCase() ?? null]);
      const entry = cache.get(key);
      const age = entry ? clock() - entry.loadedAt : Infinity;
      if (entry && age < freshMs) return entry.memberships;
      if (entry && age < freshMs + staleMs) {
        if (!entry.reloading) {
          entry.reloading = true;
          loadOnce(key, subject, email).catch((error: unknown) => {
            entry.reloading = false;
            options.onReloadError?.(error);
          });
        }
        return entry.memberships;
      }
      if (entry) cache.delete(key);
      return loadOnce(key, subject, email);
    },
    evictAll() {
      generation += 1;
      cache.clear();
      inFlight.clear();
    },
  };
}

/** Clears `directory` whenever a membership change is announced. */
export function subscribeMembershipEviction(source: MembershipChangeSource, directory: MembershipDirectory): Promise<() => Promise<void>> {
  return source.subscribe(MEMBER_CHANGED_CHANNEL, () => directory.evictAll());
}
