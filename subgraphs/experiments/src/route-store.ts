import type { Database, Prisma, TenantTx } from '@switchyard/db';
import type { RouteRecord } from './route-record';
import { appendVersion, experimentOf, lockRoute, withoutExperiment, type RouteVersionRecord } from './route-versions';

/** Thrown by the store for outcomes the service turns into client errors. */
export class RouteNameTakenError extends Error {}
export class RouteLimitError extends Error {}
export class RoutePinnedError extends Error {
  constructor(readonly pinnedVersion: number) {
    super(`route is pinned to version ${pinnedVersion}`);
  }
}
export class UnknownVersionError extends Error {}
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
  /** Every version of the route, newest first; null when there is no such route. */
  versions(tenantId: string, name: string): Promise<RouteVersionRecord[] | null>;
  /**
   * One step back: a new version whose definition is `toVersion`'s (without any experiment; a
   * running experiment on the route is stopped in the same transaction). Null: no such route;
   * UnknownVersionError, StaleVersionError, RoutePinnedError.
   */
  rollback(input: { tenantId: string; name: string; toVersion: number; expectedVersion: number; actor: string; at: Date }): Promise<{ route: RouteRecord; stoppedExperimentId: string | null } | null>;
  /** Pins the route to `version` (the data plane serves it; changes are refused) or unpins it (null: the latest again). */
  pin(input: { tenantId: string; name: string; version: number | null; actor: string; at: Date }): Promise<{ route: RouteRecord; stoppedExperimentId: string | null } | null>;
}

function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === 'P2002' || code === '23505' || /unique constraint/i.test(String((error as { message?: unknown }).message));
}

export function createRouteStore(db: Database): RouteStore {
  const inScope = <T>(scope: { platform: true } | { tenantId: string }, fn: (tx: TenantTx) => Promise<T>): Promise<T> =>
    // Both uses are one read: in the platform scope it needs no transaction around it.
    'tenantId' in scope ? db.withTenant(scope.tenantId, fn) : db.withPlatform(fn, { transaction: false });

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
          const created = await tx.route.create({ data: { tenantId, name, definition, createdBy: actor, updatedBy: actor } });
          await tx.routeVersion.create({ data: { tenantId, routeId: created.id, version: created.version, definition, reason: 'create', createdBy: actor, createdAt: created.createdAt } });
          return created;
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new RouteNameTakenError();
        throw error;
      }
    },

    update({ tenantId, name, expectedVersion, definition, actor, at }) {
      return db.withTenant(tenantId, async (tx) => {
        // The row lock serializes changes of one route: of concurrent updates from one version,
        // the first applies and the others see a newer version.
        const current = await lockRoute(tx, tenantId, name);
        if (current === null) return null;
        if (current.version !== expectedVersion) throw new StaleVersionError(current.version);
        if (current.pinnedVersion !== null) throw new RoutePinnedError(current.pinnedVersion);
        // A running experiment belongs to the route, not to the definition a client sends: it carries over.
        const experiment = experimentOf(current.definition);
        const next = experiment ? ({ ...(definition as Record<string, unknown>), experiment } as Prisma.InputJsonValue) : definition;
        return appendVersion(tx, current, { definition: next, reason: 'update', actor, at });
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

    versions(tenantId, name) {
      return db.withTenant(tenantId, async (tx) => {
        const route = await tx.route.findUnique({ where: { tenantId_name: { tenantId, name } }, select: { id: true } });
        if (route === null) return null;
        return tx.routeVersion.findMany({ where: { routeId: route.id }, orderBy: { version: 'desc' }, take: 500 });
      });
    },

    rollback({ tenantId, name, toVersion, expectedVersion, actor, at }) {
      return db.withTenant(tenantId, async (tx) => {
        const current = await lockRoute(tx, tenantId, name);
        if (current === null) return null;
        if (current.version !== expectedVersion) throw new StaleVersionError(current.version);
        if (current.pinnedVersion !== null) throw new RoutePinnedError(current.pinnedVersion);
        const target = await tx.routeVersion.findUnique({ where: { routeId_version: { routeId: current.id, version: toVersion } } });
        if (target === null) throw new UnknownVersionError();
        const stoppedExperimentId = await stopRunning(tx, current.id, 'the route was rolled back', at);
        const route = await appendVersion(tx, current, { definition: withoutExperiment(target.definition), reason: 'rollback', actor, at });
        return { route, stoppedExperimentId };
      });
    },

    pin({ tenantId, name, version, actor, at }) {
      return db.withTenant(tenantId, async (tx) => {
        const current = await lockRoute(tx, tenantId, name);
        if (current === null) return null;
        const served = await tx.routeVersion.findUnique({ where: { routeId_version: { routeId: current.id, version: version ?? current.version } } });
        if (served === null) throw new UnknownVersionError();
        const stoppedExperimentId = version === null ? null : await stopRunning(tx, current.id, 'the route was pinned', at);
        // Pinning moves what is served, not the history: the definition column is the served copy.
        const route = await tx.route.update({
          where: { id: current.id },
          data: { pinnedVersion: version, definition: withoutExperiment(served.definition), updatedBy: actor, updatedAt: at },
        });
        return { route, stoppedExperimentId };
      });
    },
  };
}

/** Stops the route's running experiment, if any, in the caller's transaction; its id. */
async function stopRunning(tx: TenantTx, routeId: string, reason: string, at: Date): Promise<string | null> {
  const running = await tx.experiment.findFirst({ where: { routeId, status: 'running' }, select: { id: true } });
  if (!running) return null;
  await tx.experiment.update({ where: { id: running.id }, data: { status: 'stopped', statusReason: reason, updatedAt: at } });
  return running.id;
}
