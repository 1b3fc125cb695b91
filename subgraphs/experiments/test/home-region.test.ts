import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed, type Database } from '@switchyard/db';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { CREATE, DELETE, LIST, PLATFORM_ADMIN, UPDATE, definition, errorCodes, principalOf, startExperimentsHarness, type ExperimentsHarness } from './harness';

/**
 * Region B's experiments subgraph (SWITCHYARD_REGION=region-b): a tenant homed in region A has its
 * routes, and the experiments that change them, written in A only (DESIGN.md §10).
 */
let testDatabase: MemoryTestDatabase;
let db: Database;
let regionB: ExperimentsHarness;
let homedInA: string;
let homedInB: string;

const ROLLBACK = 'mutation ($input: RollbackRouteInput!) { rollbackRoute(input: $input) { version } }';
const PIN = 'mutation ($input: PinRouteInput!) { pinRoute(input: $input) { version } }';
const START = 'mutation ($input: StartExperimentInput!) { startExperiment(input: $input) { id } }';
const STOP = 'mutation ($input: ExperimentRefInput!) { stopExperiment(input: $input) { id } }';
const PROMOTE = 'mutation ($input: ExperimentRefInput!) { promoteExperiment(input: $input) { id } }';
const REVERT = 'mutation ($input: ExperimentRefInput!) { revertPromotion(input: $input) { id } }';

const adminOf = (tenantId: string) => principalOf(['tenant_admin'], tenantId, `admin-${tenantId}`);
const storedRoutes = (tenantId: string) => db.withTenant(tenantId, async (tx) => (await tx.route.findMany()).map((route) => `${route.name}@${route.version}`));

beforeAll(async () => {
  testDatabase = await createMemoryTestDatabase();
  db = testDatabase.db;
  await seed(db);
  const create = (slug: string, homeRegion: string | null) => db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug, homeRegion }, select: { id: true } }));
  homedInA = (await create('routes-homed-a', null)).id;
  homedInB = (await create('routes-homed-b', 'region-b')).id;
  regionB = await startExperimentsHarness(db, { region: 'region-b' });
  // A route written while the tenant had no home (so anywhere), then the tenant is placed in A.
  const created = await regionB.request(adminOf(homedInA), CREATE, { input: { tenantId: homedInA, name: 'smart', definition: definition(['mock-gpt']) } });
  expect(created.body.errors).toBeUndefined();
  await db.withPlatform((tx) => tx.tenant.update({ where: { id: homedInA }, data: { homeRegion: 'region-a' } }));
  regionB.published.length = 0;
});

afterAll(async () => {
  await regionB?.close();
  await testDatabase?.drop();
});

describe('a tenant homed in another region', () => {
  it('refuses every route and experiment change with TENANT_HOMED_ELSEWHERE, changing nothing', async () => {
    const before = await storedRoutes(homedInA);
    const experiment = { tenantId: homedInA, id: randomUUID() };
    const attempts: [string, Record<string, unknown>][] = [
      [CREATE, { input: { tenantId: homedInA, name: 'other', definition: definition(['mock-mini']) } }],
      [UPDATE, { input: { tenantId: homedInA, name: 'smart', expectedVersion: 1, definition: definition(['mock-mini']) } }],
      [DELETE, { input: { tenantId: homedInA, name: 'smart', expectedVersion: 1 } }],
      [ROLLBACK, { input: { tenantId: homedInA, name: 'smart', toVersion: 1, expectedVersion: 1 } }],
      [PIN, { input: { tenantId: homedInA, name: 'smart', version: 1 } }],
      [START, { input: { tenantId: homedInA, routeName: 'smart', challengerModel: 'mock-mini', mode: 'SHADOW', metric: 'COST' } }],
      [STOP, { input: experiment }],
      [PROMOTE, { input: experiment }],
      [REVERT, { input: experiment }],
    ];
    for (const [mutation, variables] of attempts) {
      for (const caller of [adminOf(homedInA), PLATFORM_ADMIN]) {
        const reply = await regionB.request(caller, mutation, variables);
        expect(errorCodes(reply), mutation).toEqual(['TENANT_HOMED_ELSEWHERE']);
        expect(reply.body.errors?.[0]?.extensions).toMatchObject({ homeRegion: 'region-a', region: 'region-b' });
      }
    }
    expect(await storedRoutes(homedInA)).toEqual(before);
    expect(regionB.published).toEqual([]);
  });

  it('still answers reads, and tells a stranger FORBIDDEN rather than the home', async () => {
    const list = await regionB.request(adminOf(homedInA), LIST, { tenantId: homedInA });
    expect(list.body.errors).toBeUndefined();
    const stranger = await regionB.request(adminOf(homedInB), CREATE, { input: { tenantId: homedInA, name: 'x', definition: definition(['mock-mini']) } });
    expect(errorCodes(stranger)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(stranger.body)).not.toContain('region-a');
  });
});

describe('a tenant homed here', () => {
  it('is written as before', async () => {
    const reply = await regionB.request(adminOf(homedInB), CREATE, { input: { tenantId: homedInB, name: 'smart', definition: definition(['mock-gpt']) } });
    expect(reply.body.errors).toBeUndefined();
    expect(await storedRoutes(homedInB)).toEqual(['smart@1']);
  });
});
