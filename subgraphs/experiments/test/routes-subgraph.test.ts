import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed, type Database } from '@switchyard/db';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { AUDIT_STREAM, auditEventSchema } from '@switchyard/events/audit';
import { countTransactions } from '@switchyard/subgraph-kit/testing';
import {
  AUDIENCE,
  CREATE,
  DELETE,
  LIST,
  ONE,
  PLATFORM_ADMIN,
  UPDATE,
  definition,
  errorCodes,
  principalOf,
  startExperimentsHarness,
  type ExperimentsHarness,
  type GraphQLReply,
  type RouteReply,
} from './harness';

let testDatabase: MemoryTestDatabase;
let db: Database;
let harness: ExperimentsHarness;
let tenantA: string;
let tenantB: string;

const adminA = () => principalOf(['tenant_admin'], tenantA, 'admin-a');
const adminB = () => principalOf(['tenant_admin'], tenantB, 'admin-b');
const viewerA = () => principalOf(['viewer'], tenantA, 'viewer-a');
const operatorA = () => principalOf(['operator'], tenantA, 'operator-a');

const routeOf = (reply: GraphQLReply, field: string) => {
  expect(reply.body.errors).toBeUndefined();
  return (reply.body.data as Record<string, RouteReply>)[field]!;
};
const firstError = (reply: GraphQLReply) => reply.body.errors?.[0]?.extensions ?? {};
const storedNames = (tenantId: string) => db.withTenant(tenantId, async (tx) => (await tx.route.findMany({ orderBy: { name: 'asc' } })).map((r) => r.name));

beforeAll(async () => {
  testDatabase = await createMemoryTestDatabase();
  db = testDatabase.db;
  await seed(db); // price book: mock-gpt, mock-large, mock-mini
  const create = (slug: string) => db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }));
  tenantA = (await create('routes-a')).id;
  tenantB = (await create('routes-b')).id;
  harness = await startExperimentsHarness(db, { maxRoutesPerTenant: 6 });
});

afterAll(async () => {
  await harness?.close();
  await testDatabase?.drop();
});

describe('authentication', () => {
  it('refuses requests without a token, with a token for another audience, and the federation fields too', async () => {
    const none = await harness.request(null, LIST, { tenantId: tenantA });
    expect(none.status).toBe(401);
    expect(errorCodes(none)).toEqual(['UNAUTHENTICATED']);
    const foreign = await harness.request(null, LIST, { tenantId: tenantA }, { token: await harness.signer.sign(PLATFORM_ADMIN, 'subgraph:policy') });
    expect(errorCodes(foreign)).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await harness.request(null, '{ _service { sdl } }'))).toEqual(['UNAUTHENTICATED']);
    const sdl = await harness.request(PLATFORM_ADMIN, '{ _service { sdl } }', {}, { token: await harness.signer.sign(PLATFORM_ADMIN, AUDIENCE) });
    expect(JSON.stringify(sdl.body.data)).toContain('type Route');
  });
});

describe('create, read, update, delete', () => {
  it('a tenant admin creates a route: stored normalized, audited once, announced key-only', async () => {
    const before = harness.published.length;
    const created = routeOf(
      await harness.request(adminA(), CREATE, {
        input: { tenantId: tenantA, name: 'smart', definition: definition(['mock-mini', 'mock-gpt'], { strategy: { kind: 'bandit' }, fallbacks: ['auto'] }) },
      }),
      'createRoute',
    );
    expect(created).toMatchObject({ tenantId: tenantA, name: 'smart', version: 1, strategy: 'bandit', fallbacks: ['auto'], createdBy: 'user:admin-a', updatedBy: 'user:admin-a' });
    expect(created.candidates.map((c) => c.model)).toEqual(['mock-mini', 'mock-gpt']);
    // Defaults of the data plane's schema are filled in: what is shown is what runs.
    expect(JSON.parse(created.definition)).toMatchObject({ strategy: { kind: 'bandit', reward: { success: 1 }, latencyTargetMs: 5000 } });
    expect(harness.published.slice(before)).toEqual([JSON.stringify({ tenantId: tenantA })]);

    await harness.bus.ensureGroup(AUDIT_STREAM, 'create-check');
    const entries = await harness.bus.readGroup(AUDIT_STREAM, 'create-check', 'reader', { count: 100, blockMs: 0 });
    const events = entries.map((entry) => auditEventSchema.parse(JSON.parse(entry.payload))).filter((e) => e.payload['routeId'] === created.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'route.create', tenantId: tenantA, actor: 'user:admin-a', idempotencyKey: `route.create:${created.id}:1` });
  });

  it('shows a route stored with a bare subject (before createdBy held actors) under the actor its audit entries name', async () => {
    const created = routeOf(await harness.request(adminA(), CREATE, { input: { tenantId: tenantA, name: 'legacy', definition: definition(['mock-gpt']) } }), 'createRoute');
    await db.withTenant(tenantA, (tx) => tx.route.update({ where: { id: created.id }, data: { createdBy: 'admin-a', updatedBy: 'api-key:k1' } }));
    expect(routeOf(await harness.request(adminA(), ONE, { tenantId: tenantA, name: 'legacy' }), 'route')).toMatchObject({ createdBy: 'user:admin-a', updatedBy: 'api-key:k1' });
    await harness.request(adminA(), DELETE, { input: { tenantId: tenantA, name: 'legacy', expectedVersion: 1 } });
  });

  it('viewers and operators read routes; neither may write', async () => {
    for (const reader of [viewerA(), operatorA()]) {
      const list = await harness.request(reader, LIST, { tenantId: tenantA });
      expect((list.body.data as { routes: RouteReply[] }).routes.map((r) => r.name)).toContain('smart');
      expect(routeOf(await harness.request(reader, ONE, { tenantId: tenantA, name: 'smart' }), 'route').name).toBe('smart');
      const denied = await harness.request(reader, CREATE, { input: { tenantId: tenantA, name: `by-${reader.subject}`, definition: definition(['mock-gpt']) } });
      expect(errorCodes(denied)).toEqual(['FORBIDDEN']);
      expect(errorCodes(await harness.request(reader, DELETE, { input: { tenantId: tenantA, name: 'smart', expectedVersion: 1 } }))).toEqual(['FORBIDDEN']);
    }
    expect(await storedNames(tenantA)).toEqual(['smart']);
    expect(errorCodes(await harness.request(principalOf([], tenantA, 'no-role'), LIST, { tenantId: tenantA }))).toEqual(['FORBIDDEN']);
  });

  it('updates by version: the stale version gets VERSION_CONFLICT with the current one', async () => {
    const v2 = routeOf(await harness.request(adminA(), UPDATE, { input: { tenantId: tenantA, name: 'smart', expectedVersion: 1, definition: definition(['mock-large']) } }), 'updateRoute');
    expect(v2).toMatchObject({ version: 2, strategy: 'priority', fallbacks: [] });
    const stale = await harness.request(adminA(), UPDATE, { input: { tenantId: tenantA, name: 'smart', expectedVersion: 1, definition: definition(['mock-gpt']) } });
    expect(errorCodes(stale)).toEqual(['VERSION_CONFLICT']);
    expect(firstError(stale)).toMatchObject({ field: 'expectedVersion', currentVersion: 2 });
    expect(routeOf(await harness.request(adminA(), ONE, { tenantId: tenantA, name: 'smart' }), 'route').candidates[0]?.model).toBe('mock-large');
    const missing = await harness.request(adminA(), UPDATE, { input: { tenantId: tenantA, name: 'nope', expectedVersion: 1, definition: definition(['mock-gpt']) } });
    expect(errorCodes(missing)).toEqual(['NOT_FOUND']);
  });

  it('of concurrent updates from the same version exactly one wins', async () => {
    routeOf(await harness.request(adminA(), CREATE, { input: { tenantId: tenantA, name: 'raced', definition: definition(['mock-gpt']) } }), 'createRoute');
    const replies = await Promise.all(
      ['mock-gpt', 'mock-mini', 'mock-large', 'mock-gpt'].map((model, i) =>
        harness.request(adminA(), UPDATE, { input: { tenantId: tenantA, name: 'raced', expectedVersion: 1, definition: definition([model], { retries: { max: i } }) } }),
      ),
    );
    expect(replies.filter((reply) => reply.body.errors === undefined)).toHaveLength(1);
    expect(replies.flatMap(errorCodes).sort()).toEqual(['VERSION_CONFLICT', 'VERSION_CONFLICT', 'VERSION_CONFLICT']);
    expect(routeOf(await harness.request(adminA(), ONE, { tenantId: tenantA, name: 'raced' }), 'route').version).toBe(2);
  });

  it('refuses a duplicate name with CONFLICT on the name', async () => {
    const duplicate = await harness.request(adminA(), CREATE, { input: { tenantId: tenantA, name: 'raced', definition: definition(['mock-mini']) } });
    expect(errorCodes(duplicate)).toEqual(['CONFLICT']);
    expect(firstError(duplicate).field).toBe('name');
  });

  it('deletes by version and announces it; a second delete is NOT_FOUND', async () => {
    const stale = await harness.request(adminA(), DELETE, { input: { tenantId: tenantA, name: 'raced', expectedVersion: 1 } });
    expect(errorCodes(stale)).toEqual(['VERSION_CONFLICT']);
    const before = harness.published.length;
    expect(routeOf(await harness.request(adminA(), DELETE, { input: { tenantId: tenantA, name: 'raced', expectedVersion: 2 } }), 'deleteRoute').name).toBe('raced');
    expect(harness.published.slice(before)).toEqual([JSON.stringify({ tenantId: tenantA })]);
    expect((await harness.request(adminA(), ONE, { tenantId: tenantA, name: 'raced' })).body.data).toEqual({ route: null });
    expect(errorCodes(await harness.request(adminA(), DELETE, { input: { tenantId: tenantA, name: 'raced', expectedVersion: 2 } }))).toEqual(['NOT_FOUND']);
  });

  it('caps the number of routes per tenant', async () => {
    const names = await storedNames(tenantA);
    for (let i = names.length; i < 6; i += 1) {
      expect((await harness.request(adminA(), CREATE, { input: { tenantId: tenantA, name: `filler-${i}`, definition: definition(['mock-gpt']) } })).body.errors).toBeUndefined();
    }
    expect(errorCodes(await harness.request(adminA(), CREATE, { input: { tenantId: tenantA, name: 'one-too-many', definition: definition(['mock-gpt']) } }))).toEqual(['LIMIT_EXCEEDED']);
  });
});

describe('tenant isolation', () => {
  it('a tenant admin can neither read nor write another tenant’s routes', async () => {
    routeOf(await harness.request(adminB(), CREATE, { input: { tenantId: tenantB, name: 'b-route', definition: definition(['mock-gpt']) } }), 'createRoute');
    expect(errorCodes(await harness.request(adminA(), LIST, { tenantId: tenantB }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await harness.request(adminA(), ONE, { tenantId: tenantB, name: 'b-route' }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await harness.request(adminA(), CREATE, { input: { tenantId: tenantB, name: 'planted', definition: definition(['mock-gpt']) } }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await harness.request(adminA(), UPDATE, { input: { tenantId: tenantB, name: 'b-route', expectedVersion: 1, definition: definition(['mock-mini']) } }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await harness.request(adminA(), DELETE, { input: { tenantId: tenantB, name: 'b-route', expectedVersion: 1 } }))).toEqual(['FORBIDDEN']);
    expect(await storedNames(tenantB)).toEqual(['b-route']);
  });

  it('federation references outside the caller’s reach resolve to null or FORBIDDEN', async () => {
    const bRoute = routeOf(await harness.request(adminB(), ONE, { tenantId: tenantB, name: 'b-route' }), 'route');
    const entities = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Route { name } ... on Tenant { id routes { name } } } }';
    const byRoute = await harness.request(adminA(), entities, { r: [{ __typename: 'Route', id: bRoute.id }] });
    expect(byRoute.body.data).toEqual({ _entities: [null] });
    const byTenant = await harness.request(adminA(), entities, { r: [{ __typename: 'Tenant', id: tenantB }] });
    expect(errorCodes(byTenant)).toEqual(['FORBIDDEN']);
    const own = await harness.request(adminB(), entities, { r: [{ __typename: 'Route', id: bRoute.id }, { __typename: 'Tenant', id: tenantB }] });
    expect(own.body.data).toEqual({ _entities: [{ name: 'b-route' }, { id: tenantB, routes: [{ name: 'b-route' }] }] });
  });

  it('batches entity references: N tenants’ routes in one transaction', async () => {
    const counting = countTransactions(db);
    const batched = await startExperimentsHarness(counting.db);
    try {
      const reply = await batched.request(PLATFORM_ADMIN, 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Tenant { routes { name } } } }', {
        r: [tenantA, tenantB, tenantA].map((id) => ({ __typename: 'Tenant', id })),
      });
      expect(reply.body.errors).toBeUndefined();
      expect(counting.counts).toEqual({ withTenant: 0, withPlatform: 1 });
    } finally {
      await batched.close();
    }
  });
});

describe('bad input', () => {
  const attempt = (name: string, definitionText: string) => harness.request(adminB(), CREATE, { input: { tenantId: tenantB, name, definition: definitionText } });

  it.each([
    ['not JSON', 'ok-name', '{"candidates": [', 'definition'],
    ['a JSON array', 'ok-name', '[]', 'definition'],
    ['no candidates', 'ok-name', JSON.stringify({ candidates: [], strategy: { kind: 'priority' } }), 'definition.candidates'],
    ['an unknown strategy', 'ok-name', JSON.stringify({ candidates: [{ model: 'mock-gpt' }], strategy: { kind: 'random' } }), 'definition.strategy.kind'],
    ['a negative weight', 'ok-name', JSON.stringify({ candidates: [{ model: 'mock-gpt', weight: -1 }], strategy: { kind: 'weighted' } }), 'definition.candidates.0.weight'],
    ['a name with spaces', ' bad name ', definition(['mock-gpt']), 'name'],
    ['an unknown model', 'ok-name', definition(['mock-gpt', 'gpt-9000']), 'definition.candidates.1.model'],
    ['an unknown fallback', 'ok-name', definition(['mock-gpt'], { fallbacks: ['nowhere'] }), 'definition.fallbacks.0'],
    ['a fallback to itself', 'ok-name', definition(['mock-gpt'], { fallbacks: ['ok-name'] }), 'definition.fallbacks'],
    ['an oversized definition', 'ok-name', definition(['mock-gpt'], { padding: 'x'.repeat(20_000) }), 'definition'],
  ])('refuses %s, naming the field, and writes nothing', async (_, name, definitionText, field) => {
    const reply = await attempt(name, definitionText);
    expect(errorCodes(reply)).toEqual(['BAD_USER_INPUT']);
    expect(firstError(reply).field).toBe(field);
    expect(await storedNames(tenantB)).toEqual(['b-route']);
  });

  it('lists every problem, not only the first', async () => {
    const reply = await attempt('ok-name', JSON.stringify({ candidates: [{ model: 'x1' }, { model: 'x2' }], strategy: { kind: 'priority' } }));
    expect(firstError(reply).issues?.map((issue) => issue.field)).toEqual(['definition.candidates.0.model', 'definition.candidates.1.model']);
  });

  it('accepts fallbacks to a platform route and to the tenant’s other routes', async () => {
    const reply = await attempt('with-fallbacks', definition(['mock-gpt'], { fallbacks: ['cheapest', 'b-route', 'mock-mini'] }));
    expect(routeOf(reply, 'createRoute').fallbacks).toEqual(['cheapest', 'b-route', 'mock-mini']);
  });

  it('refuses malformed ids and versions with BAD_USER_INPUT', async () => {
    expect(firstError(await harness.request(PLATFORM_ADMIN, LIST, { tenantId: 'not-a-uuid' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tenantId' });
    const zero = await harness.request(adminB(), UPDATE, { input: { tenantId: tenantB, name: 'b-route', expectedVersion: 0, definition: definition(['mock-gpt']) } });
    expect(firstError(zero)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expectedVersion' });
  });
});
