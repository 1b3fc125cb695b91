import type { Database } from '@switchyard/db';

/**
 * Wraps a database and counts transactions, so tests can catch N+1 access patterns. A hand-written
 * read counts as the scope it runs in (readAsTenant as withTenant, readAsPlatform as withPlatform).
 */
export function countTransactions(db: Database): { db: Database; counts: { withTenant: number; withPlatform: number }; reset(): void } {
  const counts = { withTenant: 0, withPlatform: 0 };
  const counted: Database = {
    ...db,
    withTenant(tenantId, fn) {
      counts.withTenant += 1;
      return db.withTenant(tenantId, fn);
    },
    withPlatform(fn, options) {
      counts.withPlatform += 1;
      return db.withPlatform(fn, options);
    },
    readAsTenant(tenantId, fn) {
      counts.withTenant += 1;
      return db.readAsTenant(tenantId, fn);
    },
    readAsPlatform(fn) {
      counts.withPlatform += 1;
      return db.readAsPlatform(fn);
    },
  };
  return {
    db: counted,
    counts,
    reset() {
      counts.withTenant = 0;
      counts.withPlatform = 0;
    },
  };
}
