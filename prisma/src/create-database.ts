import { mkdir } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { z } from 'zod';
import type { Database, PlatformWorkOptions, PriceBook, ResolvedApiKey, ResolvedMembership, TenantTx } from './database';
import { DatabaseError } from './database';
import { createPostgresPool, withUnavailableErrors } from './database-availability';
import { deferBeginOnConnect } from './deferred-begin';
import { PrismaClient } from './generated/client';
import { migrateDatabase } from './migrate';
import { pgliteMigrationConnection, postgresMigrationConnection } from './migration-connections';
import { openPglite } from './pglite-open';
import { readOnPglite, readOnPlatformPool, readOnTenantPool } from './sql-reads';
import type { SqlReader } from './sql-reads';
import type { MigrationConnection } from './migrator';

export interface CreateDatabaseOptions {
  /**
   * Postgres connection string of the platform pool: the owner (the migrating user), which runs
   * migrations and platform-scope work as `switchyard_platform`. When set, PGlite options are ignored.
   */
  url?: string;
  /**
   * Postgres connection string of the tenant pool, which logs in as the tenant role
   * `switchyard_app` (DATABASE_TENANT_URL). Default: `url` with the user `switchyard_app` and no
   * password ({@link tenantUrlFor}), which works where the server trusts that user on this host
   * (trust or cert auth); production gives the role a password and sets this.
   */
  tenantUrl?: string;
  /** PGlite data directory (created if missing). */
  dataDir?: string;
  /** In-memory PGlite (tests). Used when neither url nor dataDir is given. */
  memory?: boolean;
  /** Log migration progress (default: silent). */
  log?: (message: string) => void;
}

const tenantIdSchema = z.uuid();
const apiKeyHashSchema = z.string().regex(/^[0-9a-f]{64}$/);

// PGlite runs one transaction at a time, so a transaction may queue behind others before it starts.
const transactionOptions = { maxWait: 15_000, timeout: 20_000 } as const;

const MEMBER_ROLES: ReadonlySet<string> = new Set(['platform_admin', 'tenant_admin', 'operator', 'viewer']);
const MAX_IDENTITY_LENGTH = 320;

interface ResolvedMembershipRow {
  tenant_id: string;
  role: string;
  created_at: Date;
}

/** Bounds one batch lookup (resolveApiKeys): callers chunk larger sets. */
export const MAX_API_KEYS_PER_LOOKUP = 1_000;

function resolvedApiKeyOf(row: ResolvedApiKeyRow): ResolvedApiKey {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    scopes: row.scopes ?? [],
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
  };
}

interface ResolvedApiKeyRow {
  hash?: string;
  id: string;
  tenant_id: string;
  scopes: string[] | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

/** The database role tenant-scoped work runs as (row-level security by `app.tenant_id`). */
export const TENANT_ROLE = 'switchyard_app';
/** The database role platform-scope work runs as; the tenant role is never a member of it. */
export const PLATFORM_ROLE = 'switchyard_platform';

/**
 * The statement that puts a transaction in a tenant's scope, with the id as a literal. Only ever
 * built from a string that is exactly a UUID (hex digits and dashes), so there is nothing to escape;
 * anything else throws.
 */
export function tenantScopeStatement(tenantId: string): string {
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(tenantId)) {
    throw new DatabaseError('INVALID_TENANT_ID', 'Tenant id must be a UUID.');
  }
  return `SELECT set_config('role', '${TENANT_ROLE}', true), set_config('app.tenant_id', '${tenantId}', true)`;
}

function assertTenantId(tenantId: string): void {
  if (!tenantIdSchema.safeParse(tenantId).success) {
    throw new DatabaseError('INVALID_TENANT_ID', `Tenant id must be a UUID, got ${JSON.stringify(String(tenantId).slice(0, 64))}.`);
  }
}

/** What a PGlite transaction runs first to be in the platform scope (Postgres platform sessions start in it). */
const PLATFORM_SCOPE_STATEMENT = `SELECT set_config('role', '${PLATFORM_ROLE}', true), set_config('app.scope', 'platform', true)`;

/** `url` logging in as the tenant role instead (same host, port, database and options; no password). */
export function tenantUrlFor(url: string): string {
  const tenant = new URL(url);
  tenant.username = TENANT_ROLE;
  tenant.password = '';
  return tenant.toString();
}

/**
 * Opens the relational store: Postgres when `url` is given, otherwise PGlite (on disk at
 * `dataDir`, or in memory). Does not migrate; call `db.migrate()`.
 *
 * On Postgres there are two pools: the tenant pool logs in AS `switchyard_app` (so no SQL sent on
 * it can RESET ROLE or SET ROLE to anything stronger), the platform pool logs in as `url`'s user
 * and runs each transaction as `switchyard_platform`. PGlite has one connection and its user is
 * a superuser: there each transaction switches role (SET LOCAL ROLE), which is sound only because
 * no SQL but this package's reaches that embedded, in-process database.
 */
export async function createDatabase(options: CreateDatabaseOptions): Promise<Database> {
  const log = options.log ?? (() => {});
  if (options.url) {
    const url = options.url;
    // Our own pools, so every client has an error listener for its whole life (see createPostgresPool):
    // the platform role's (DATABASE_URL) and the tenant role's (its own login, see tenantUrlFor).
    // The platform pool's sessions start as switchyard_platform with app.scope = 'platform' (startup
    // options, applied by the server as the connection opens), so a platform transaction needs no
    // statement of its own to switch: BEGIN, the work, COMMIT (one round trip and ~0.25 ms CPU less
    // per transaction). The login stays the owner, as before: only this package's SQL runs on it.
    const platformPool = createPostgresPool(url, undefined, `-c role=${PLATFORM_ROLE} -c app.scope=platform`);
    const tenantPool = createPostgresPool(options.tenantUrl ?? tenantUrlFor(url));
    // A transaction's BEGIN travels with its first (parameterless) statement: the tenant scope
    // statement of withTenant, the role statement of the lookups below (see deferred-begin.ts).
    deferBeginOnConnect(platformPool);
    deferBeginOnConnect(tenantPool);
    const platform = new PrismaClient({ adapter: new PrismaPg(platformPool), transactionOptions });
    const tenant = new PrismaClient({ adapter: new PrismaPg(tenantPool), transactionOptions });
    const reads: SqlReads = {
      tenant: (scopeStatement, fn) => readOnTenantPool(tenantPool, scopeStatement, fn),
      platform: (fn) => readOnPlatformPool(platformPool, fn),
    };
    return withUnavailableErrors(
      buildDatabase('postgres', { tenant, platform, platformSessions: true, reads }, () => postgresMigrationConnection(url), log, async () => {
        await tenant.$disconnect();
        await Promise.all([platformPool.end(), tenantPool.end()]);
      }),
    );
  }
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const pglite = await openPglite(options.dataDir ? { dataDir: options.dataDir } : {});
  return openPgliteDatabase(pglite, log);
}

/**
 * Wraps an open PGlite (which the returned Database then owns and closes). Async: its Prisma
 * adapter is loaded only here, so a service on Postgres never loads it (see openPglite).
 */
export async function openPgliteDatabase(pglite: PGlite, log: (message: string) => void = () => {}): Promise<Database> {
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  // pglite-prisma-adapter runs every query and transaction through PGlite's own mutex, so
  // concurrent transactions from this process queue instead of interleaving.
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite), transactionOptions });
  const reads: SqlReads = {
    tenant: (scopeStatement, fn) => readOnPglite(pglite, scopeStatement, fn),
    platform: (fn) => readOnPglite(pglite, PLATFORM_SCOPE_STATEMENT, fn),
  };
  return buildDatabase('pglite', { tenant: prisma, platform: prisma, reads }, () => pgliteMigrationConnection(pglite), log, () => pglite.close());
}

/** The backend's hand-written read paths (sql-reads.ts): in a tenant's scope (given its scope statement), and in the platform's. */
interface SqlReads {
  tenant<T>(scopeStatement: string, fn: (sql: SqlReader) => Promise<T>): Promise<T>;
  platform<T>(fn: (sql: SqlReader) => Promise<T>): Promise<T>;
}

function buildDatabase(
  kind: Database['kind'],
  clients: { readonly tenant: PrismaClient; readonly platform: PrismaClient; readonly platformSessions?: boolean; readonly reads: SqlReads },
  migrationConnection: () => MigrationConnection,
  log: (message: string) => void,
  closeBackend: () => Promise<void>,
): Database {
  const { tenant, platform: prisma } = clients;
  let closed = false;
  const ensureOpen = () => {
    if (closed) throw new DatabaseError('DATABASE_CLOSED', 'The database was closed; create a new one with createDatabase().');
  };

  return {
    kind,
    async migrate() {
      ensureOpen();
      await migrateDatabase(migrationConnection(), log);
    },
    async withTenant<T>(tenantId: string, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
      ensureOpen();
      assertTenantId(tenantId);
      return tenant.$transaction(async (tx) => {
        // set_config('role', …, true) is SET LOCAL ROLE: both revert at the end of the transaction.
        // On Postgres the session already is switchyard_app (a no-op); on PGlite it drops the superuser.
        // Without parameters (the id is a validated UUID, quoted as a literal) the statement goes
        // in one round trip with the transaction's BEGIN (deferred-begin.ts).
        await tx.$executeRawUnsafe(tenantScopeStatement(tenantId));
        return fn(tx);
      }, transactionOptions);
    },
    async withPlatform<T>(fn: (tx: TenantTx) => Promise<T>, options?: PlatformWorkOptions): Promise<T> {
      ensureOpen();
      // Sessions that already are the platform role need no transaction to be in its scope.
      if (options?.transaction === false && clients.platformSessions) return fn(prisma);
      return prisma.$transaction(async (tx) => {
        // The role is what grants platform scope; app.scope is only a marker (switchyard_audit_append
        // reads it) and grants the tenant role nothing. On Postgres the platform pool's sessions
        // already are both (startup options); PGlite's one connection switches per transaction.
        if (!clients.platformSessions) await tx.$queryRaw`SELECT set_config('role', 'switchyard_platform', true), set_config('app.scope', 'platform', true)`;
        return fn(tx);
      }, transactionOptions);
    },
    async readAsTenant<T>(tenantId: string, fn: (sql: SqlReader) => Promise<T>): Promise<T> {
      ensureOpen();
      // The same validation and scope statement as withTenant.
      assertTenantId(tenantId);
      return clients.reads.tenant(tenantScopeStatement(tenantId), fn);
    },
    async readAsPlatform<T>(fn: (sql: SqlReader) => Promise<T>): Promise<T> {
      ensureOpen();
      return clients.reads.platform(fn);
    },
    async resolveApiKey(hash: string): Promise<ResolvedApiKey | null> {
      ensureOpen();
      if (!apiKeyHashSchema.safeParse(hash).success) return null;
      const [, rows] = await prisma.$transaction([
        prisma.$queryRaw`SELECT set_config('role', 'switchyard_platform', true)`,
        prisma.$queryRaw<ResolvedApiKeyRow[]>`SELECT id, tenant_id, scopes, expires_at, revoked_at FROM switchyard_resolve_api_key(${hash})`,
      ]);
      const row = rows[0];
      return row ? resolvedApiKeyOf(row) : null;
    },
    async resolveApiKeys(hashes: readonly string[]): Promise<Map<string, ResolvedApiKey>> {
      ensureOpen();
      const wellFormed = [...new Set(hashes)].filter((hash) => apiKeyHashSchema.safeParse(hash).success).slice(0, MAX_API_KEYS_PER_LOOKUP);
      const found = new Map<string, ResolvedApiKey>();
      if (wellFormed.length === 0) return found;
      // One statement for the whole batch: the same lookup function per hash (it is what RLS allows).
      const [, rows] = await prisma.$transaction([
        prisma.$queryRaw`SELECT set_config('role', 'switchyard_platform', true)`,
        prisma.$queryRaw<ResolvedApiKeyRow[]>`SELECT h AS hash, r.id, r.tenant_id, r.scopes, r.expires_at, r.revoked_at FROM unnest(${wellFormed}::text[]) AS h, LATERAL switchyard_resolve_api_key(h) AS r`,
      ]);
      for (const row of rows) if (row.hash) found.set(row.hash, resolvedApiKeyOf(row));
      return found;
    },
    async resolveMemberships(subject: string, email: string | null): Promise<ResolvedMembership[]> {
      ensureOpen();
      if (subject.length === 0 || subject.length > MAX_IDENTITY_LENGTH) return [];
      const mail = email && email.length <= MAX_IDENTITY_LENGTH ? email : null;
      const [, rows] = await prisma.$transaction([
        prisma.$queryRaw`SELECT set_config('role', 'switchyard_platform', true)`,
        prisma.$queryRaw<ResolvedMembershipRow[]>`SELECT tenant_id, role, created_at FROM switchyard_resolve_memberships(${subject}, ${mail})`,
      ]);
      return rows
        .filter((row) => MEMBER_ROLES.has(row.role))
        .map((row) => ({ tenantId: row.tenant_id, role: row.role as ResolvedMembership['role'], since: new Date(row.created_at) }))
        .sort((a, b) => a.since.getTime() - b.since.getTime() || a.tenantId.localeCompare(b.tenantId));
    },
    async touchApiKeys(uses: ReadonlyArray<{ id: string; usedAt: Date }>): Promise<number> {
      ensureOpen();
      const valid = uses.filter((use) => tenantIdSchema.safeParse(use.id).success && !Number.isNaN(use.usedAt.getTime()));
      if (valid.length === 0) return 0;
      const ids = valid.map((use) => use.id);
      const times = valid.map((use) => use.usedAt.toISOString());
      const [, rows] = await prisma.$transaction([
        prisma.$queryRaw`SELECT set_config('role', 'switchyard_platform', true)`,
        prisma.$queryRaw<{ touched: number }[]>`SELECT switchyard_touch_api_keys(${ids}::uuid[], ${times}::timestamptz[]) AS touched`,
      ]);
      return Number(rows[0]?.touched ?? 0);
    },
    async latestPriceBook(): Promise<PriceBook> {
      ensureOpen();
      const book = await prisma.priceBookVersion.findFirst({
        orderBy: { version: 'desc' },
        include: { prices: { orderBy: { model: 'asc' } } },
      });
      if (!book) {
        throw new DatabaseError('PRICE_BOOK_MISSING', 'No price book in the database yet: run the seed (npm start seeds it).');
      }
      return {
        version: book.version,
        prices: book.prices.map((price) => ({
          model: price.model,
          inputPer1kMicros: price.inputPer1kMicros,
          outputPer1kMicros: price.outputPer1kMicros,
        })),
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await closeBackend();
    },
  };
}
