import type { Database, SqlReader } from '@switchyard/db';
import type { AccessScope } from './authorization';
import type { ApiKey, Tenant } from './tenant-types';

/**
 * The only code of this subgraph that touches the database. Every query runs inside
 * `withTenant` (row-level security on) or, for platform-wide work, `withPlatform`; the
 * caller picks the scope after its authorization check, so RLS backs that check up.
 *
 * The platform scope sees every tenant row and may read (never write) every tenant's API keys,
 * so a platform admin's batch of N tenants' keys is one statement; writes run in the key's tenant scope.
 *
 * The list reads every admin page starts with are hand-written SQL (`readAsTenant` /
 * `readAsPlatform`: same scopes and row-level security, without Prisma's client runtime, which was
 * the largest share of the admin plane's CPU); the rest goes through Prisma.
 */
export class SlugTakenError extends Error {
  constructor(readonly slug: string) {
    super(`A tenant with slug "${slug}" already exists.`);
    this.name = 'SlugTakenError';
  }
}

export interface NewApiKeyRecord {
  name: string;
  prefix: string;
  hash: string;
  scopes: string[];
  expiresAt: Date | null;
}

export interface TenantsStore {
  listTenants(scope: AccessScope): Promise<Tenant[]>;
  findTenantBySlug(scope: AccessScope, slug: string): Promise<Tenant | null>;
  findTenantsByIds(scope: AccessScope, ids: readonly string[]): Promise<Tenant[]>;
  createTenant(input: { slug: string; name: string }): Promise<Tenant>;
  listApiKeysOfTenants(scope: AccessScope, tenantIds: readonly string[]): Promise<ApiKey[]>;
  findApiKeysByIds(scope: AccessScope, ids: readonly string[]): Promise<ApiKey[]>;
  createApiKey(tenantId: string, record: NewApiKeyRecord): Promise<ApiKey>;
  /** Sets revokedAt unless already set; returns the key and its hash, or null when not visible in scope. */
  revokeApiKey(scope: AccessScope, id: string, at: Date): Promise<{ apiKey: ApiKey; keyHash: string } | null>;
}

const apiKeySelect = {
  id: true,
  tenantId: true,
  name: true,
  prefix: true,
  scopes: true,
  createdAt: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
} as const;

const tenantSelect = { id: true, slug: true, name: true, createdAt: true } as const;

// The same columns as tenantSelect / apiKeySelect, under the domain types' names.
const TENANT_COLUMNS = 'id, slug, name, created_at AS "createdAt"';
const API_KEY_COLUMNS =
  'id, tenant_id AS "tenantId", name, prefix, scopes, created_at AS "createdAt", expires_at AS "expiresAt", revoked_at AS "revokedAt", last_used_at AS "lastUsedAt"';

function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  // P2002 is Prisma's unique-constraint code; 23505 is Postgres's, in case a driver error surfaces unmapped.
  return code === 'P2002' || code === '23505';
}

export function createTenantsStore(db: Database): TenantsStore {
  function readInScope<T>(scope: AccessScope, fn: (sql: SqlReader) => Promise<T>): Promise<T> {
    // Every read here is one statement: in the platform scope it needs no transaction around it.
    return scope.kind === 'platform' ? db.readAsPlatform(fn) : db.readAsTenant(scope.tenantId, fn);
  }

  return {
    listTenants(scope) {
      return readInScope(scope, (sql) =>
        scope.kind === 'tenant'
          ? sql.rows<Tenant>(`SELECT ${TENANT_COLUMNS} FROM tenants WHERE id = $1::uuid ORDER BY slug`, [scope.tenantId])
          : sql.rows<Tenant>(`SELECT ${TENANT_COLUMNS} FROM tenants ORDER BY slug`),
      );
    },

    async findTenantBySlug(scope, slug) {
      const rows = await readInScope(scope, (sql) =>
        scope.kind === 'tenant'
          ? sql.rows<Tenant>(`SELECT ${TENANT_COLUMNS} FROM tenants WHERE slug = $1 AND id = $2::uuid LIMIT 1`, [slug, scope.tenantId])
          : sql.rows<Tenant>(`SELECT ${TENANT_COLUMNS} FROM tenants WHERE slug = $1 LIMIT 1`, [slug]),
      );
      return rows[0] ?? null;
    },

    async findTenantsByIds(scope, ids) {
      const visible = scope.kind === 'tenant' ? ids.filter((id) => id === scope.tenantId) : [...ids];
      if (visible.length === 0) return [];
      return readInScope(scope, (sql) => sql.rows<Tenant>(`SELECT ${TENANT_COLUMNS} FROM tenants WHERE id = ANY($1::uuid[])`, [visible]));
    },

    async createTenant(input) {
      try {
        return await db.withPlatform((tx) => tx.tenant.create({ data: input, select: tenantSelect }));
      } catch (error) {
        if (isUniqueViolation(error)) throw new SlugTakenError(input.slug);
        throw error;
      }
    },

    async listApiKeysOfTenants(scope, tenantIds) {
      const visible = scope.kind === 'tenant' ? tenantIds.filter((id) => id === scope.tenantId) : [...new Set(tenantIds)];
      if (visible.length === 0) return [];
      // One statement for the whole batch: the platform role reads every tenant's keys (api_keys_platform_read).
      return readInScope(scope, (sql) =>
        sql.rows<ApiKey>(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE tenant_id = ANY($1::uuid[]) ORDER BY created_at, id`, [visible]),
      );
    },

    async findApiKeysByIds(scope, ids) {
      if (ids.length === 0) return [];
      return readInScope(scope, (sql) =>
        scope.kind === 'tenant'
          ? sql.rows<ApiKey>(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE id = ANY($1::uuid[]) AND tenant_id = $2::uuid`, [[...ids], scope.tenantId])
          : sql.rows<ApiKey>(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE id = ANY($1::uuid[])`, [[...ids]]),
      );
    },

    createApiKey(tenantId, record) {
      return db.withTenant(tenantId, (tx) => tx.apiKey.create({ data: { tenantId, ...record }, select: apiKeySelect }));
    },

    async revokeApiKey(scope, id, at) {
      // The key's tenant first (a platform read), then the write in that tenant's own scope.
      const tenantId =
        scope.kind === 'tenant' ? scope.tenantId : (await db.withPlatform((tx) => tx.apiKey.findFirst({ where: { id }, select: { tenantId: true } })))?.tenantId;
      if (!tenantId) return null;
      return db.withTenant(tenantId, async (tx) => {
        // Only the first revocation stamps the time, so revoking twice is harmless.
        await tx.apiKey.updateMany({ where: { id, tenantId, revokedAt: null }, data: { revokedAt: at } });
        const row = await tx.apiKey.findFirst({ where: { id, tenantId }, select: { ...apiKeySelect, hash: true } });
        if (!row) return null;
        const { hash, ...apiKey } = row;
        return { apiKey, keyHash: hash };
      });
    },
  };
}
