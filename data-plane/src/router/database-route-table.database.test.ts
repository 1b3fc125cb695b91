import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@switchyard/db';
import { createMemoryTestDatabase, createTestDatabase } from '@switchyard/db/testing';
import { createInProcessBus } from '@switchyard/bus';
import { createDatabaseRouteTable } from './database-route-table';
import { parseRoutes, type Route } from './route';
import { routeDefinitionOf } from './route-definition';
import { runRouteTableContract, type RouteTableFactory } from './route-table.contract';
import { routesChangedMessage, ROUTES_CHANGED_CHANNEL } from '@switchyard/events/routing';

/** Writes rows the way the experiments subgraph does (its own tests cover the subgraph itself). */
async function storeRoutes(db: Database, tenantId: string, routes: readonly Route[]): Promise<void> {
  await db.withTenant(tenantId, async (tx) => {
    await tx.route.deleteMany({ where: { tenantId } });
    for (const route of routes) {
      await tx.route.create({ data: { tenantId, name: route.name, definition: routeDefinitionOf(route), createdBy: 't', updatedBy: 't' } });
    }
  });
}

let counter = 0;
const newTenantIn = (db: Database) => async () =>
  (await db.withPlatform((tx) => tx.tenant.create({ data: { slug: `routes-${process.pid}-${(counter += 1)}`, name: 'r' }, select: { id: true } }))).id;

function databaseFactory(db: () => Database): RouteTableFactory {
  return async (defaults) => {
    const table = createDatabaseRouteTable({ db: db(), defaults });
    await table.load();
    return {
      table,
      newTenant: newTenantIn(db()),
      async setRoutes(tenantId, routes) {
        await storeRoutes(db(), tenantId, routes);
        await table.refresh(tenantId);
      },
    };
  };
}

const route = (name: string, model: string): Route => parseRoutes([{ name, candidates: [{ model }], strategy: { kind: 'priority' } }])[0]!;

async function eventually(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('database route table on PGlite', () => {
  let memory: Awaited<ReturnType<typeof createMemoryTestDatabase>>;
  beforeAll(async () => {
    memory = await createMemoryTestDatabase();
  });
  afterAll(async () => {
    await memory?.drop();
  });

  runRouteTableContract('database (PGlite)', databaseFactory(() => memory.db));

  it('loads every tenant’s routes at start-up, skipping a stored definition that no longer validates', async () => {
    const a = await newTenantIn(memory.db)();
    const b = await newTenantIn(memory.db)();
    await storeRoutes(memory.db, a, [route('a1', 'm')]);
    await storeRoutes(memory.db, b, [route('b1', 'm')]);
    await memory.db.withTenant(b, (tx) => tx.route.create({ data: { tenantId: b, name: 'broken', definition: { candidates: [] }, createdBy: 't', updatedBy: 't' } }));
    const warnings: string[] = [];
    const table = createDatabaseRouteTable({ db: memory.db, defaults: [], logger: { warn: (_details, message) => void warnings.push(message), error: () => undefined } });
    await table.load();
    expect(table.list(a).map((r) => r.name)).toEqual(['a1']);
    expect(table.list(b).map((r) => r.name)).toEqual(['b1']);
    expect(warnings).toEqual(['stored route no longer validates; skipped']);
  });

  it('reloads a tenant when the bus names it, and ignores malformed messages', async () => {
    const bus = createInProcessBus();
    const a = await newTenantIn(memory.db)();
    const table = createDatabaseRouteTable({ db: memory.db, defaults: [], resyncIntervalMs: 0 });
    await table.load();
    const unsubscribe = await table.subscribe(bus);
    await storeRoutes(memory.db, a, [route('fresh', 'm')]);
    await bus.publish(ROUTES_CHANGED_CHANNEL, 'not json');
    await bus.publish(ROUTES_CHANGED_CHANNEL, JSON.stringify({ tenant: a }));
    await bus.publish(ROUTES_CHANGED_CHANNEL, routesChangedMessage(a));
    await eventually(() => table.get(a, 'fresh') !== undefined, 'the bus-triggered reload');
    await unsubscribe();
    await bus.close();
  });

  it('lets the platform scope read routes but not write them', async () => {
    const a = await newTenantIn(memory.db)();
    await expect(
      memory.db.withPlatform((tx) => tx.route.create({ data: { tenantId: a, name: 'sneaky', definition: {}, createdBy: 't', updatedBy: 't' } })),
    ).rejects.toThrow();
    await storeRoutes(memory.db, a, [route('visible', 'm')]);
    expect(await memory.db.withPlatform((tx) => tx.route.count({ where: { tenantId: a } }))).toBe(1);
    const other = await newTenantIn(memory.db)();
    expect(await memory.db.withTenant(other, (tx) => tx.route.count({ where: { tenantId: a } }))).toBe(0);
  });
});

describe('database route table on Postgres', () => {
  let postgres: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    postgres = await createTestDatabase();
  });
  afterAll(async () => {
    await postgres?.drop();
  });

  runRouteTableContract('database (Postgres)', databaseFactory(() => postgres.db));
});
