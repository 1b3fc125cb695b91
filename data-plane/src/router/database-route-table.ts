import type { Database } from '@switchyard/db';
import type { Bus, Unsubscribe } from '@switchyard/bus';
import type { Route } from './route';
import { parseRouteDefinition } from './route-definition';
import { createTenantRouteIndex, type RouteTable } from './route-table';
import { parseRoutesChangedMessage, ROUTES_CHANGED_CHANNEL } from '@switchyard/events/routing';

/**
 * Routes stored by the experiments subgraph, held in memory: every tenant's routes are loaded
 * once before serving, and one tenant is reloaded when `switchyard:routes.changed` names it.
 * Requests only read the in-memory index, so none waits on Postgres.
 */
export interface DatabaseRouteTable extends RouteTable {
  /** Loads every tenant's routes (platform scope). Call before serving; also the periodic resync. */
  load(): Promise<void>;
  /** Reloads one tenant's routes; when refreshes overlap, the one started last decides. */
  refresh(tenantId: string): Promise<void>;
  /**
   * Refreshes a tenant on each routes-changed event, and reloads everything every
   * `resyncIntervalMs` (pub/sub is at-most-once: a missed event heals there). Resolves once subscribed.
   */
  subscribe(bus: Bus): Promise<Unsubscribe>;
}

export interface DatabaseRouteTableOptions {
  db: Pick<Database, 'withTenant' | 'withPlatform'>;
  /** The platform's configured routes: visible to every tenant unless it has a route of that name. */
  defaults: readonly Route[];
  logger?: RouteTableLogger;
  /** Full reload interval while subscribed (default 60 s; 0 disables). */
  resyncIntervalMs?: number;
  /** Attempts per refresh before giving up until the next event or resync (default 3). */
  refreshAttempts?: number;
}

/** What the table logs through (a pino logger fits). */
export interface RouteTableLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

interface StoredRoute {
  tenantId: string;
  name: string;
  definition: unknown;
}

const DEFAULT_RESYNC_INTERVAL_MS = 60_000;
const RETRY_BASE_MS = 50;

export function createDatabaseRouteTable(options: DatabaseRouteTableOptions): DatabaseRouteTable {
  const { db, logger } = options;
  const index = createTenantRouteIndex(options.defaults);
  // Bumped by every refresh that starts; a load applies a tenant's rows only if no refresh of it started meanwhile.
  const generations = new Map<string, number>();
  const generationOf = (tenantId: string) => generations.get(tenantId) ?? 0;
  const attempts = Math.max(1, options.refreshAttempts ?? 3);

  /** A stored definition that no longer parses (the schema moved on) is skipped, not fatal. */
  function parseStored(rows: readonly StoredRoute[]): Route[] {
    const routes: Route[] = [];
    for (const row of rows) {
      const parsed = parseRouteDefinition(row.name, row.definition);
      if (parsed.ok) routes.push(parsed.route);
      else logger?.warn({ tenantId: row.tenantId, route: row.name, issues: parsed.issues }, 'stored route no longer validates; skipped');
    }
    return routes;
  }

  async function refreshOnce(tenantId: string, generation: number): Promise<void> {
    const rows = await db.withTenant(tenantId, (tx) => tx.route.findMany({ where: { tenantId }, select: { tenantId: true, name: true, definition: true }, orderBy: { name: 'asc' } }));
    if (generationOf(tenantId) === generation) index.replace(tenantId, parseStored(rows));
  }

  async function refresh(tenantId: string): Promise<void> {
    const generation = generationOf(tenantId) + 1;
    generations.set(tenantId, generation);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await refreshOnce(tenantId, generation);
      } catch (error) {
        if (attempt >= attempts || generationOf(tenantId) !== generation) throw error;
        await new Promise((resolve) => setTimeout(resolve, RETRY_BASE_MS * 2 ** (attempt - 1)));
      }
    }
  }

  async function load(): Promise<void> {
    const started = new Map(generations);
    const rows = await db.withPlatform((tx) => tx.route.findMany({ select: { tenantId: true, name: true, definition: true }, orderBy: [{ tenantId: 'asc' }, { name: 'asc' }] }));
    const byTenant = new Map<string, StoredRoute[]>();
    for (const row of rows) byTenant.set(row.tenantId, [...(byTenant.get(row.tenantId) ?? []), row]);
    for (const tenantId of new Set([...byTenant.keys(), ...index.tenantIds()])) {
      if (generationOf(tenantId) !== (started.get(tenantId) ?? 0)) continue; // a newer refresh owns it
      index.replace(tenantId, parseStored(byTenant.get(tenantId) ?? []));
    }
  }

  return {
    get: index.get,
    list: index.list,
    defaults: index.defaults,
    load,
    refresh,
    async subscribe(bus) {
      const unsubscribe = await bus.subscribe(ROUTES_CHANGED_CHANNEL, (message) => {
        const tenantId = parseRoutesChangedMessage(message);
        if (tenantId === undefined) return;
        refresh(tenantId).catch((error: unknown) => logger?.error({ err: error, tenantId }, 'could not reload a tenant’s routes; retried at the next resync'));
      });
      const intervalMs = options.resyncIntervalMs ?? DEFAULT_RESYNC_INTERVAL_MS;
      const timer =
        intervalMs > 0
          ? setInterval(() => void load().catch((error: unknown) => logger?.error({ err: error }, 'periodic route resync failed')), intervalMs)
          : undefined;
      timer?.unref();
      return async () => {
        if (timer) clearInterval(timer);
        await unsubscribe();
      };
    },
  };
}
