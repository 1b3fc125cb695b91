import type { Lease, LeasePort } from './lease';

/**
 * The lease in this process (the embedded default: one optimizer, so it always gets the lease;
 * tests compose several against one instance). Same contract as the Redis lease.
 */
export function createInProcessLease(clock: () => number = Date.now): LeasePort {
  const held = new Map<string, { token: number; holder: string; expiresAt: number }>();
  const fences = new Map<string, number>();
  const current = (lease: Lease) => {
    const entry = held.get(lease.name);
    return entry !== undefined && entry.expiresAt > clock() && entry.token === lease.token && entry.holder === lease.holder ? entry : undefined;
  };
  return {
    async acquire(name, holder, ttlMs) {
      const entry = held.get(name);
      if (entry && entry.expiresAt > clock()) return null;
      const token = (fences.get(name) ?? 0) + 1;
      fences.set(name, token);
      held.set(name, { token, holder, expiresAt: clock() + ttlMs });
      return { name, holder, token };
    },
    async renew(lease, ttlMs) {
      const entry = current(lease);
      if (!entry) return false;
      entry.expiresAt = clock() + ttlMs;
      return true;
    },
    async release(lease) {
      if (!current(lease)) return false;
      held.delete(lease.name);
      return true;
    },
    async close() {},
  };
}
