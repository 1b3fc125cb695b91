import type { Bus } from '@switchyard/bus';
import { ROUTES_CHANGED_CHANNEL, routesChangedMessage } from '@switchyard/events/routing';
import { routeDefinitionOf } from '@switchyard/data-plane/routes';
import type { Database, Prisma } from '@switchyard/db';
import type { Principal } from '@switchyard/identity';
import type { HomeRegionGuard } from '@switchyard/subgraph-kit/home-region';
import { auditActor } from '@switchyard/subgraph-kit/audit-actor';
import { parseInput } from '@switchyard/subgraph-kit/parse-input';
import type { Logger } from '@switchyard/subgraph-kit/logger';
import type { RouteAuditTrail } from './audit-trail';
import { canReadRoutes, canWriteRoutes, isPlatformAdmin } from './authorization';
import { badUserInput, conflict, forbidden, limitExceeded, notFound, routePinned, versionConflict } from './errors';
import type { ModelCatalog } from './model-catalog';
import { checkReferences, expectedVersionSchema, parseRouteInput, routeNameLookupSchema, tenantIdSchema } from './route-input';
import type { RouteRecord } from './route-record';
import { createRouteStore, RouteLimitError, RouteNameTakenError, RoutePinnedError, StaleVersionError, UnknownVersionError } from './route-store';
import type { RouteVersionRecord } from './route-versions';
import { EXPERIMENT_UPDATED_CHANNEL, experimentUpdatedMessage } from '@switchyard/events/routing';

export interface CreateRouteInput {
  tenantId: string;
  name: string;
  definition: string;
}
export interface UpdateRouteInput extends CreateRouteInput {
  expectedVersion: number;
}
export interface DeleteRouteInput {
  tenantId: string;
  name: string;
  expectedVersion: number;
}

export interface RollbackRouteInput {
  tenantId: string;
  name: string;
  toVersion: number;
  expectedVersion: number;
}
export interface PinRouteInput {
  tenantId: string;
  name: string;
  /** Null unpins. */
  version: number | null;
}

/** Authorization, validation, concurrency, audit and change notification for tenant routes. */
export interface RoutesService {
  routes(tenantId: string, principal: Principal): Promise<RouteRecord[]>;
  route(tenantId: string, name: string, principal: Principal): Promise<RouteRecord | null>;
  createRoute(input: CreateRouteInput, principal: Principal): Promise<RouteRecord>;
  updateRoute(input: UpdateRouteInput, principal: Principal): Promise<RouteRecord>;
  deleteRoute(input: DeleteRouteInput, principal: Principal): Promise<RouteRecord>;
  /** The route's history, newest first; null when there is no such route. */
  routeVersions(tenantId: string, name: string, principal: Principal): Promise<RouteVersionRecord[] | null>;
  /** One step back to an earlier version (as a new version); stops a running experiment. Audited. */
  rollbackRoute(input: RollbackRouteInput, principal: Principal): Promise<RouteRecord>;
  /** Pins the route to a version (or unpins it). Audited. */
  pinRoute(input: PinRouteInput, principal: Principal): Promise<RouteRecord>;
  /** DataLoader batch functions: results in the order of the keys; out-of-reach keys get null / []. */
  loadRoutesByIds(ids: readonly string[], principal: Principal): Promise<(RouteRecord | null)[]>;
  loadRoutesOfTenants(tenantIds: readonly string[], principal: Principal): Promise<(RouteRecord[] | Error)[]>;
}

export interface RoutesServiceDeps {
  db: Database;
  /** Publishes `switchyard:routes.changed`. */
  bus: Pick<Bus, 'publish'>;
  audit: RouteAuditTrail;
  catalog: ModelCatalog;
  logger: Logger;
  /** Most routes one tenant may have (default 200). */
  maxRoutesPerTenant?: number;
  now?: () => Date;
  /** Refuses changes of tenants homed in another region (absent: one region, nothing refused). */
  homeGuard?: HomeRegionGuard;
}

export const DEFAULT_MAX_ROUTES_PER_TENANT = 200;

export function createRoutesService(deps: RoutesServiceDeps): RoutesService {
  const store = createRouteStore(deps.db);
  const now = deps.now ?? (() => new Date());
  const maxRoutes = deps.maxRoutesPerTenant ?? DEFAULT_MAX_ROUTES_PER_TENANT;

  function readable(tenantIdInput: string, principal: Principal): string {
    const tenantId = parseInput(tenantIdSchema, tenantIdInput, 'tenantId');
    if (!canReadRoutes(principal, tenantId)) throw forbidden('Only members of the tenant (or a platform admin) may read its routes.');
    return tenantId;
  }

  function writable(tenantIdInput: string, principal: Principal): string {
    const tenantId = parseInput(tenantIdSchema, tenantIdInput, 'tenantId');
    if (!canWriteRoutes(principal, tenantId)) throw forbidden("Only the tenant's admins (or a platform admin) may change its routes.");
    return tenantId;
  }

  /** Writable by the caller, and written in this region: the tenant's home (DESIGN.md §10). */
  async function writableHere(tenantIdInput: string, principal: Principal): Promise<string> {
    const tenantId = writable(tenantIdInput, principal);
    await deps.homeGuard?.assertWritable(tenantId);
    return tenantId;
  }

  /** Key-only: each data plane reloads the tenant's routes itself. A lost message heals at the data plane's periodic resync. */
  async function publishChange(tenantId: string): Promise<void> {
    try {
      await deps.bus.publish(ROUTES_CHANGED_CHANNEL, routesChangedMessage(tenantId));
    } catch (error) {
      deps.logger.error({ err: error instanceof Error ? error.message : String(error), tenantId }, 'could not publish routes.changed; data planes pick the change up at their next resync');
    }
  }

  async function validated(tenantId: string, name: string, definition: string) {
    const route = parseRouteInput(name, definition);
    const existing = await store.list(tenantId);
    const routes = new Set([...deps.catalog.platformRoutes(), ...existing.map((r) => r.name).filter((other) => other !== route.name)]);
    checkReferences(route, { models: await deps.catalog.models(), routes });
    return { route, stored: routeDefinitionOf(route) as Prisma.InputJsonValue };
  }

  return {
    async routes(tenantIdInput, principal) {
      return store.list(readable(tenantIdInput, principal));
    },

    async route(tenantIdInput, nameInput, principal) {
      const tenantId = readable(tenantIdInput, principal);
      return store.find(tenantId, parseInput(routeNameLookupSchema, nameInput, 'name'));
    },

    async createRoute(input, principal) {
      const tenantId = await writableHere(input.tenantId, principal);
      const { route, stored } = await validated(tenantId, input.name, input.definition);
      let created: RouteRecord;
      try {
        created = await store.create({ tenantId, name: route.name, definition: stored, actor: auditActor(principal), maxRoutes });
      } catch (error) {
        if (error instanceof RouteNameTakenError) throw conflict(`The tenant already has a route named '${route.name}'. Update it instead, or pick another name.`, 'name');
        if (error instanceof RouteLimitError) throw limitExceeded(`A tenant may have at most ${maxRoutes} routes; delete one first.`);
        throw error;
      }
      await deps.audit.record({ tenantId, actor: auditActor(principal), action: 'route.create', routeId: created.id, version: created.version, payload: { name: created.name, definition: stored } });
      await publishChange(tenantId);
      return created;
    },

    async updateRoute(input, principal) {
      const tenantId = await writableHere(input.tenantId, principal);
      const expectedVersion = parseInput(expectedVersionSchema, input.expectedVersion, 'expectedVersion');
      const { route, stored } = await validated(tenantId, input.name, input.definition);
      let updated: RouteRecord | null;
      try {
        updated = await store.update({ tenantId, name: route.name, expectedVersion, definition: stored, actor: auditActor(principal), at: now() });
      } catch (error) {
        if (error instanceof StaleVersionError) throw versionConflict(route.name, expectedVersion, error.currentVersion);
        if (error instanceof RoutePinnedError) throw routePinned(route.name, error.pinnedVersion);
        throw error;
      }
      if (!updated) throw notFound(`The tenant has no route named '${route.name}'.`);
      await deps.audit.record({ tenantId, actor: auditActor(principal), action: 'route.update', routeId: updated.id, version: updated.version, payload: { name: updated.name, definition: stored } });
      await publishChange(tenantId);
      return updated;
    },

    async deleteRoute(input, principal) {
      const tenantId = await writableHere(input.tenantId, principal);
      const name = parseInput(routeNameLookupSchema, input.name, 'name');
      const expectedVersion = parseInput(expectedVersionSchema, input.expectedVersion, 'expectedVersion');
      let deleted: RouteRecord | null;
      try {
        deleted = await store.delete({ tenantId, name, expectedVersion });
      } catch (error) {
        if (error instanceof StaleVersionError) throw versionConflict(name, expectedVersion, error.currentVersion);
        throw error;
      }
      if (!deleted) throw notFound(`The tenant has no route named '${name}'.`);
      await deps.audit.record({ tenantId, actor: auditActor(principal), action: 'route.delete', routeId: deleted.id, version: deleted.version, payload: { name: deleted.name } });
      await publishChange(tenantId);
      return deleted;
    },

    async routeVersions(tenantIdInput, nameInput, principal) {
      const tenantId = readable(tenantIdInput, principal);
      return store.versions(tenantId, parseInput(routeNameLookupSchema, nameInput, 'name'));
    },

    async rollbackRoute(input, principal) {
      const tenantId = await writableHere(input.tenantId, principal);
      const name = parseInput(routeNameLookupSchema, input.name, 'name');
      const expectedVersion = parseInput(expectedVersionSchema, input.expectedVersion, 'expectedVersion');
      const toVersion = parseInput(expectedVersionSchema, input.toVersion, 'toVersion');
      const actor = auditActor(principal);
      let result;
      try {
        result = await store.rollback({ tenantId, name, toVersion, expectedVersion, actor, at: now() });
      } catch (error) {
        if (error instanceof StaleVersionError) throw versionConflict(name, expectedVersion, error.currentVersion);
        if (error instanceof RoutePinnedError) throw routePinned(name, error.pinnedVersion);
        if (error instanceof UnknownVersionError) throw badUserInput(`Route '${name}' has no version ${toVersion}.`, 'toVersion');
        throw error;
      }
      if (!result) throw notFound(`The tenant has no route named '${name}'.`);
      const { route, stoppedExperimentId } = result;
      await deps.audit.record({ tenantId, actor, action: 'route.rollback', routeId: route.id, version: route.version, payload: { name, toVersion, stoppedExperimentId, definition: route.definition } });
      await publishChange(tenantId);
      if (stoppedExperimentId) await deps.bus.publish(EXPERIMENT_UPDATED_CHANNEL, experimentUpdatedMessage(tenantId)).catch(() => undefined);
      return route;
    },

    async pinRoute(input, principal) {
      const tenantId = await writableHere(input.tenantId, principal);
      const name = parseInput(routeNameLookupSchema, input.name, 'name');
      const version = input.version === null ? null : parseInput(expectedVersionSchema, input.version, 'version');
      const actor = auditActor(principal);
      let result;
      try {
        result = await store.pin({ tenantId, name, version, actor, at: now() });
      } catch (error) {
        if (error instanceof UnknownVersionError) throw badUserInput(`Route '${name}' has no version ${version}.`, 'version');
        throw error;
      }
      if (!result) throw notFound(`The tenant has no route named '${name}'.`);
      const { route, stoppedExperimentId } = result;
      // Idempotency key: one entry per pin state change of this version (re-pinning the same version is the same entry).
      await deps.audit.record({
        tenantId,
        actor,
        action: version === null ? 'route.unpin' : 'route.pin',
        routeId: route.id,
        version: version ?? route.version,
        payload: { name, pinnedVersion: version, stoppedExperimentId },
      });
      await publishChange(tenantId);
      if (stoppedExperimentId) await deps.bus.publish(EXPERIMENT_UPDATED_CHANNEL, experimentUpdatedMessage(tenantId)).catch(() => undefined);
      return route;
    },

    async loadRoutesByIds(ids, principal) {
      const wellFormed = ids.filter((id) => tenantIdSchema.safeParse(id).success);
      const scope = isPlatformAdmin(principal) ? ({ platform: true } as const) : principal.tenantId ? { tenantId: principal.tenantId } : null;
      const rows = scope && wellFormed.length > 0 && principal.roles.length > 0 ? await store.findByIds(wellFormed, scope) : [];
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    },

    async loadRoutesOfTenants(tenantIds, principal) {
      const allowed = tenantIds.filter((id) => tenantIdSchema.safeParse(id).success && canReadRoutes(principal, id));
      const scope = isPlatformAdmin(principal) ? ({ platform: true } as const) : principal.tenantId ? { tenantId: principal.tenantId } : null;
      const rows = scope && allowed.length > 0 ? await store.listOfTenants(allowed, scope) : [];
      return tenantIds.map((id) =>
        allowed.includes(id) ? rows.filter((row) => row.tenantId === id) : forbidden('Only members of the tenant (or a platform admin) may read its routes.'),
      );
    },
  };
}
