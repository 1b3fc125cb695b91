import type { Database, Prisma, TenantTx } from '@switchyard/db';
import type { RouteRecord } from './route-record';

/** Thrown by the store for outcomes the service turns into client errors. */
export class RouteNameTakenError extends Error {}
export class RouteLimitError extends Error {}
export class StaleVersionError extends Error {
  constructor(readonly currentVersion: number) {
    super(`route is at version ${currentVersion}`);
  }
}

/**
 * The only code of the experiments subgraph that touches the database. Tenant work runs inside
 * `withTenant`, so row-level security confines each transaction to one tenant.
 */
export interface RouteStore {
  list(tenantId: string): Promise<RouteRecord[]>;
  find(tenantId: string, name: string): Promise<RouteRecord | null>;
  /** Routes of several tenants at once (DataLoader batches); `platform` reads across tenants. */
  listOfTenants(tenantIds: readonly string[], scope: { platform: true } | { tenantId: string }): Promise<RouteRecord[]>;
  findByIds(ids: readonly string[], scope: { platform: true } | { tenantId: string }): Promise<RouteRecord[]>;
  /** Throws RouteNameTakenError, or RouteLimitError when the tenant already has `maxRoutes`. */
  create(input: { tenantId: string; name: string; definition: Prisma.InputJsonValue; actor: string; maxRoutes: number }): Promise<RouteRecord>;
  /** Null when there is no such route; StaleVersionError when its version is not `expectedVersion`. */
  update(input: { tenantId: string; name: string; expectedVersion: number; definition: Prisma.InputJsonValue; actor: string; at: Date }): Promise<RouteRecord | null>;
  /** The deleted route; null when there is none; StaleVersionError as for update. */
  delete(input: { tenantId: string; name: string; expectedVersion: number }): Promise<RouteRecord | null>;
}

function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === 'P2002' || code === '23505' || /unique constraint/i.test(String((error as { message?: unknown }).message));
}

export function createRouteStore(db: Database): RouteStore {
  const inScope = <T>(scope: { platform: true } | { tenantId: string }, fn: (tx: TenantTx) => Promise<T>): Promise<T> =>
    'tenantId' in scope ? db.withTenant(scope.tenantId, fn) : db.withPlatform(fn);

  return {
    list(tenantId) {
      return db.withTenant(tenantId, (tx) => tx.route.findMany({ where: { tenantId }, orderBy: { name: 'asc' } }));
    },

    find(tenantId, name) {
      return db.withTenant(tenantId, (tx) => tx.route.findUnique({ where: { tenantId_name: { tenantId, name } } }));
    },

    listOfTenants(tenantIds, scope) {
      return inScope(scope, (tx) => tx.route.findMany({ where: { tenantId: { in: [...tenantIds] } }, orderBy: { name: 'asc' } }));
    },

    findByIds(ids, scope) {
      return inScope(scope, (tx) => tx.route.findMany({ where: { id: { in: [...ids] } } }));
    },

    async create({ tenantId, name, definition, actor, maxRoutes }) {
      try {
        return await db.withTenant(tenantId, async (tx) => {
          // Serializes creates per tenant so the count below cannot be raced past the limit.
          await tx.$queryRaw`SELECT id FROM tenants WHERE id = ${tenantId}::uuid FOR UPDATE`;
          if ((await tx.route.count({ where: { tenantId } })) >= maxRoutes) throw new RouteLimitError();
          return tx.route.create({ data: { tenantId, name, definition, createdBy: actor, updatedBy: actor } });
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new RouteNameTakenError();
        throw error;
      }
    },

    update({ tenantId, name, expectedVersion, definition, actor, at }) {
      return db.withTenant(tenantId, async (tx) => {
        // The version guard makes concurrent updates from one version apply once: the loser's
        // UPDATE waits for the winner's row lock, re-checks the guard and matches nothing.
        const updated = await tx.route.updateMany({
          where: { tenantId, name, version: expectedVersion },
          data: { definition, updatedBy: actor, updatedAt: at, version: { increment: 1 } },
        });
        const current = await tx.route.findUnique({ where: { tenantId_name: { tenantId, name } } });
        if (updated.count === 1 || current === null) return current;
        throw new StaleVersionError(current.version);
      });
    },

    delete({ tenantId, name, expectedVersion }) {
      return db.withTenant(tenantId, async (tx) => {
        const current = await tx.route.findUnique({ where: { tenantId_name: { tenantId, name } } });
        if (current === null) return null;
        const deleted = await tx.route.deleteMany({ where: { tenantId, name, version: expectedVersion } });
        if (deleted.count === 1) return current;
        const now = await tx.route.findUnique({ where: { tenantId_name: { tenantId, name } }, select: { version: true } });
        if (now === null) return null;
        throw new StaleVersionError(now.version);
      });
    },
  };
}
