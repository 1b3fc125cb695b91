import type { Prisma } from './generated/client';
import type { SqlReader } from './sql-reads';

/**
 * The Prisma interactive-transaction client handed to `withTenant`/`withPlatform` callbacks.
 * Every query through it runs under row-level security: as `switchyard_app` (withTenant) or
 * `switchyard_platform` (withPlatform).
 */
export type TenantTx = Prisma.TransactionClient;

export interface ResolvedApiKey {
  readonly id: string;
  readonly tenantId: string;
  readonly scopes: string[];
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

/** One tenant a signed-in person belongs to, with their role there (from the members table). */
export interface ResolvedMembership {
  readonly tenantId: string;
  readonly role: 'platform_admin' | 'tenant_admin' | 'operator' | 'viewer';
  readonly since: Date;
}

export interface ModelPriceEntry {
  readonly model: string;
  /** Micro-USD per 1,000 input (prompt) tokens. */
  readonly inputPer1kMicros: bigint;
  /** Micro-USD per 1,000 output (completion) tokens. */
  readonly outputPer1kMicros: bigint;
}

export interface PriceBook {
  readonly version: number;
  readonly prices: ModelPriceEntry[];
}

export interface PlatformWorkOptions {
  /** Default true. False: no transaction around `fn` (reads only; see Database.withPlatform). */
  transaction?: boolean;
}

export interface Database {
  readonly kind: 'postgres' | 'pglite';
  /** Applies pending migrations (same code as `npm run db:migrate`). Safe to call repeatedly and concurrently. */
  migrate(): Promise<void>;
  /**
   * Runs `fn` in one transaction as the tenant role `switchyard_app` with `app.tenant_id = tenantId`:
   * RLS limits it to that tenant. On Postgres the tenant pool logs in as that role, so nothing sent
   * on it can reach another tenant's rows or the platform scope.
   */
  withTenant<T>(tenantId: string, fn: (tx: TenantTx) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one transaction on the platform pool as `switchyard_platform` (all tenants rows,
   * price book writes, the audit log, the cross-tenant lookup functions, reads of the tenant-scoped
   * rows that have a platform read policy).
   *
   * `{ transaction: false }` is for reads that need no common snapshot (typically one statement):
   * on Postgres each statement of `fn` runs on its own, still as `switchyard_platform` under the same
   * row-level security (the pool's sessions start as that role), a round trip instead of three. On
   * PGlite (one connection, whose role switches per transaction) it is a transaction as usual.
   */
  withPlatform<T>(fn: (tx: TenantTx) => Promise<T>, options?: PlatformWorkOptions): Promise<T>;
  /**
   * Hand-written read-only SQL in a tenant's scope, without Prisma's client runtime (sql-reads.ts):
   * for the admin plane's hottest reads. Same role, scope statement and row-level security as
   * withTenant, in a read-only transaction.
   */
  readAsTenant<T>(tenantId: string, fn: (sql: SqlReader) => Promise<T>): Promise<T>;
  /**
   * The same in the platform scope, as `withPlatform(fn, { transaction: false })`: on Postgres each
   * statement runs on its own on the platform pool (no common snapshot, and, as there, no read-only
   * guard: pass reads only); on PGlite one read-only transaction that switches to the platform role.
   */
  readAsPlatform<T>(fn: (sql: SqlReader) => Promise<T>): Promise<T>;
  /** Looks an API key up by its SHA-256 hex hash across tenants (null when unknown or malformed). */
  resolveApiKey(hash: string): Promise<ResolvedApiKey | null>;
  /**
   * Looks up many keys in one round of statements (a cache re-validating the keys in use): found
   * keys by hash; unknown and malformed hashes are absent. At most MAX_API_KEYS_PER_LOOKUP hashes
   * are looked up per call.
   */
  resolveApiKeys(hashes: readonly string[]): Promise<Map<string, ResolvedApiKey>>;
  /**
   * The tenants a person is a member of, matched by OIDC subject or (case-insensitively) email,
   * oldest membership first; one entry per tenant, a subject match winning over an email match.
   */
  resolveMemberships(subject: string, email: string | null): Promise<ResolvedMembership[]>;
  /** Records API keys' last use (batched, off the request path); never moves a key's time back. Returns how many keys changed. */
  touchApiKeys(uses: ReadonlyArray<{ id: string; usedAt: Date }>): Promise<number>;
  /** The newest price book version with its prices. Throws DatabaseError PRICE_BOOK_MISSING before seeding. */
  latestPriceBook(): Promise<PriceBook>;
  close(): Promise<void>;
}

/** DATABASE_UNAVAILABLE: the database could not be reached or dropped the connection (retryable; see isDatabaseUnavailableError). */
export type DatabaseErrorCode = 'INVALID_TENANT_ID' | 'PRICE_BOOK_MISSING' | 'DATABASE_CLOSED' | 'DATABASE_UNAVAILABLE';

/** A caller-caused database error with a stable code. */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
  constructor(
    readonly code: DatabaseErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
