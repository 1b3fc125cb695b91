import type { AddressInfo } from 'node:net';
import { createDatabaseApiKeyResolver, subscribeApiKeyEviction } from '@switchyard/identity/api-keys';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import {
  createAccessTokenVerifier,
  createCachedMembershipDirectory,
  createInternalTokenSigner,
  createInternalTokenVerifier,
  generateInternalKeyPair,
  subscribeMembershipEviction,
  SWITCHYARD_API_RESOURCE,
  type InternalTokenSigner,
  type Principal,
} from '@switchyard/identity';
import { startTestIssuer, type TestIssuer } from '@switchyard/identity/testing';
import { createMembersService, createTenantsService, createTenantsSubgraph, type TenantsService } from '@switchyard/subgraph-tenants';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from './logger';
import { createSupergraphServer, type SupergraphServer } from './supergraph-server';
import { inProcessSubgraphOf } from '@switchyard/subgraph-kit/in-process';
import { postGraphQL } from './test-support/gateway-under-test';
import { collect, connect } from './test-support/ws-client';
import { COST_UPDATED_CHANNEL } from '@switchyard/events/cost';

/**
 * The real gateway over the real tenants subgraph and database (in-memory PGlite): integrations
 * with admin-scoped API keys, and people whose tenant and role come from the members table.
 */
const PLATFORM: Principal = { subject: 'admin', email: null, tenantId: null, roles: ['platform_admin'], service: 'gateway' };
const ALICE = { sub: 'alice', login: 'alice', password: 'alice-password', email: 'alice@example.test', roles: [] };
// Bob's token claims tenant_admin of some tenant; only the members table counts.
const BOB = { sub: 'bob-at-idp', login: 'bob', password: 'bob-password', email: 'Bob@Example.test', roles: ['tenant_admin' as const], tenantId: '00000000-0000-4000-8000-000000000000' };
const NOBODY = { sub: 'nobody', login: 'nobody', password: 'nobody-password', email: 'nobody@example.test', roles: [] };

let testDb: MemoryTestDatabase;
let db: Database;
let bus: Bus;
let issuer: TestIssuer;
/** The gateway as `npm start` wires it (the tenants subgraph called in process), and one calling it over HTTP. */
let gateway: SupergraphServer;
let url: string;
let httpGateway: SupergraphServer;
let httpUrl: string;
let internalSigner: InternalTokenSigner;
let tenantsUrl: string;
let closeTenants: () => Promise<void>;
let unsubscribe: Array<() => Promise<void>> = [];
let tenants: TenantsService;
let tenantA: string;
let tenantB: string;
/** Principals the tenants subgraph accepted, from the internal tokens the gateway signed. */
const seenBySubgraph: Principal[] = [];
const usedKeys: string[] = [];

async function keyFor(tenantId: string, scopes: string[]) {
  const { apiKey, secret } = await tenants.createApiKey({ tenantId, name: `key ${scopes.join(' ')}`, scopes }, PLATFORM);
  return { id: apiKey.id, secret };
}

beforeAll(async () => {
  testDb = await createMemoryTestDatabase();
  db = testDb.db;
  bus = createInProcessBus();
  issuer = await startTestIssuer({ extraUsers: [ALICE, BOB, NOBODY] });
  tenants = createTenantsService({ db, bus });
  tenantA = (await tenants.createTenant({ slug: 'tenant-a', name: 'A' }, PLATFORM)).id;
  tenantB = (await tenants.createTenant({ slug: 'tenant-b', name: 'B' }, PLATFORM)).id;
  const members = createMembersService({ db, bus });
  await members.addMember({ tenantId: tenantA, subject: 'alice', role: 'tenant_admin' }, PLATFORM);
  await members.addMember({ tenantId: tenantB, subject: 'alice', role: 'viewer' }, PLATFORM);
  // Added before Bob ever signed in: known only by email.
  await members.addMember({ tenantId: tenantB, subject: 'invited:bob', email: 'bob@example.test', role: 'operator' }, PLATFORM);

  const keys = await generateInternalKeyPair();
  internalSigner = createInternalTokenSigner(keys.privateKey);
  const verify = createInternalTokenVerifier(keys.publicKey, 'subgraph:tenants');
  const subgraph = createTenantsSubgraph({
    db,
    bus,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    verifyInternalToken: async (token) => {
      const principal = await verify(token);
      seenBySubgraph.push(principal);
      return principal;
    },
  });
  await new Promise<void>((resolve) => subgraph.server.listen(0, '127.0.0.1', resolve));
  tenantsUrl = `http://127.0.0.1:${(subgraph.server.address() as AddressInfo).port}/graphql`;
  closeTenants = subgraph.close;

  const apiKeys = createDatabaseApiKeyResolver(db);
  const memberships = createCachedMembershipDirectory(db);
  unsubscribe = [await subscribeApiKeyEviction(bus, apiKeys), await subscribeMembershipEviction(bus, memberships)];
  // `npm start` hands the tenants subgraph its calls in process; the standalone gateway calls it over HTTP. Both are served.
  const inProcessTenants = inProcessSubgraphOf(subgraph.server);
  const startGateway = async (inProcess: boolean) => {
    const server = createSupergraphServer({
      subgraphs: { tenants: tenantsUrl, cost: 'http://127.0.0.1:1/graphql' },
      ...(inProcess && inProcessTenants ? { inProcessSubgraphs: { tenants: inProcessTenants } } : {}),
      signer: internalSigner,
      verifyAccessToken: createAccessTokenVerifier({ issuer: issuer.issuer, audience: SWITCHYARD_API_RESOURCE }),
      memberships,
      apiKeys,
      onApiKeyUsed: (id) => usedKeys.push(id),
      bus,
      corsOrigins: [],
      introspection: false,
      logger: silentLogger,
      persistedQueries: { mode: 'off' },
    });
    await server.ready;
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    return { server, url: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/graphql` };
  };
  ({ server: gateway, url } = await startGateway(true));
  ({ server: httpGateway, url: httpUrl } = await startGateway(false));
});

afterAll(async () => {
  for (const stop of unsubscribe) await stop();
  await gateway?.close();
  await httpGateway?.close();
  await closeTenants?.();
  await issuer?.close();
  await bus?.close();
  await testDb?.drop();
});

beforeEach(() => {
  seenBySubgraph.length = 0;
});

const code = (response: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) => response.body.errors?.[0]?.extensions?.['code'];
const TENANTS_QUERY = '{ viewer { subject roles tenantId } tenants { id slug apiKeys { name } } }';

describe('in-process and HTTP subgraph calls', () => {
  it('answer alike (data, refusals, errors) and the subgraph verifies the same internal token for each', async () => {
    const writer = await keyFor(tenantA, ['admin:write']);
    const reader = await keyFor(tenantA, ['admin:read']);
    const alice = (await issuer.loginAs(ALICE)).accessToken;
    const calls: Array<[unknown, string]> = [
      [{ query: TENANTS_QUERY }, writer.secret],
      [{ query: TENANTS_QUERY }, alice],
      [{ query: 'mutation ($t: ID!) { createApiKey(input: { tenantId: $t, name: "nope" }) { secret } }', variables: { t: tenantA } }, reader.secret],
      [{ query: '{ tenant(slug: "tenant-b") { id apiKeys { name } } }' }, writer.secret],
      [{ query: 'mutation ($t: ID!) { createApiKey(input: { tenantId: $t, name: "steal" }) { secret } }', variables: { t: tenantB } }, writer.secret],
      [{ query: '{ tenants { slug cost { totalRequests } } }' }, writer.secret],
    ];
    for (const [body, token] of calls) {
      seenBySubgraph.length = 0;
      const inProcess = await postGraphQL(url, body, { token });
      const seenInProcess = [...seenBySubgraph];
      seenBySubgraph.length = 0;
      const overHttp = await postGraphQL(httpUrl, body, { token });
      expect({ status: inProcess.status, body: inProcess.body }, JSON.stringify(body)).toEqual({ status: overHttp.status, body: overHttp.body });
      expect(seenInProcess).toEqual(seenBySubgraph);
      expect(seenInProcess.length, JSON.stringify(body)).toBeGreaterThan(0);
    }
  });
});

describe('GraphQL API with an API key', () => {
  it('an admin:write key reads and changes its own tenant, acting as tenant_admin with the service identity api-key:<id>', async () => {
    const key = await keyFor(tenantA, ['admin:write']);
    const read = await postGraphQL(url, { query: TENANTS_QUERY }, { token: key.secret });
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({ viewer: { subject: `api-key:${key.id}`, roles: ['tenant_admin'], tenantId: tenantA }, tenants: [{ id: tenantA, slug: 'tenant-a' }] });
    expect(seenBySubgraph).toContainEqual({ subject: `api-key:${key.id}`, email: null, tenantId: tenantA, roles: ['tenant_admin'], service: `api-key:${key.id}` });

    const created = await postGraphQL(url, { query: 'mutation ($t: ID!) { createApiKey(input: { tenantId: $t, name: "made by an integration" }) { apiKey { name scopes } } }', variables: { t: tenantA } }, { token: key.secret });
    expect(created.body.errors).toBeUndefined();
    expect(created.body.data).toEqual({ createApiKey: { apiKey: { name: 'made by an integration', scopes: ['inference'] } } });
    expect(usedKeys).toContain(key.id);
  });

  it('an admin:read key reads as a viewer and may not change anything', async () => {
    const key = await keyFor(tenantA, ['admin:read', 'inference']);
    const read = await postGraphQL(url, { query: '{ viewer { roles tenantId } }' }, { token: key.secret });
    expect(read.body.data).toEqual({ viewer: { roles: ['viewer'], tenantId: tenantA } });
    const write = await postGraphQL(url, { query: 'mutation ($t: ID!) { createApiKey(input: { tenantId: $t, name: "nope" }) { secret } }', variables: { t: tenantA } }, { token: key.secret });
    expect(code(write)).toBe('FORBIDDEN');
  });

  it('refuses an inference-only key with INSUFFICIENT_SCOPE before any subgraph call, and unknown keys with INVALID_API_KEY', async () => {
    const key = await keyFor(tenantA, ['inference']);
    const refused = await postGraphQL(url, { query: TENANTS_QUERY }, { token: key.secret });
    expect(refused.status).toBe(403);
    expect(code(refused)).toBe('INSUFFICIENT_SCOPE');
    const unknown = await postGraphQL(url, { query: TENANTS_QUERY }, { token: `sk-sy-${'A'.repeat(43)}` });
    expect([unknown.status, code(unknown)]).toEqual([401, 'INVALID_API_KEY']);
    expect(seenBySubgraph).toEqual([]);
  });

  it("a key of tenant A cannot read or change tenant B through any field or _entities", async () => {
    const key = await keyFor(tenantA, ['admin:write']);
    await keyFor(tenantB, ['inference']);
    const bySlug = await postGraphQL(url, { query: '{ tenant(slug: "tenant-b") { id apiKeys { name } members { subject } } }' }, { token: key.secret });
    expect(bySlug.body).toEqual({ data: { tenant: null } });
    const list = await postGraphQL(url, { query: TENANTS_QUERY }, { token: key.secret });
    expect((list.body.data?.['tenants'] as { id: string }[]).map((tenant) => tenant.id)).toEqual([tenantA]);
    const steal = await postGraphQL(url, { query: 'mutation ($t: ID!) { createApiKey(input: { tenantId: $t, name: "steal" }) { secret } }', variables: { t: tenantB } }, { token: key.secret });
    expect(code(steal)).toBe('FORBIDDEN');
    // _entities is not part of the public API...
    const publicEntities = await postGraphQL(url, { query: 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }', variables: { r: [{ __typename: 'Tenant', id: tenantB }] } }, { token: key.secret });
    expect(publicEntities.body.data ?? null).toBeNull();
    expect(code(publicEntities)).toBe('GRAPHQL_VALIDATION_FAILED');
    // ...and the subgraph, given exactly the internal token the gateway signs for this key, resolves B to null.
    const identity = `api-key:${key.id}`;
    const internal = await internalSigner.sign({ subject: identity, email: null, tenantId: tenantA, roles: ['tenant_admin'], service: identity }, 'subgraph:tenants');
    const entities = await postGraphQL(
      tenantsUrl,
      { query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Tenant { id slug } } }', variables: { r: [{ __typename: 'Tenant', id: tenantB }, { __typename: 'Tenant', id: tenantA }] } },
      { token: internal },
    );
    expect(entities.body.data).toEqual({ _entities: [null, { id: tenantA, slug: 'tenant-a' }] });
  });

  it('stops accepting a key as soon as it is revoked (bus eviction, no cache wait)', async () => {
    const key = await keyFor(tenantA, ['admin:read']);
    expect((await postGraphQL(url, { query: '{ viewer { tenantId } }' }, { token: key.secret })).status).toBe(200);
    await tenants.revokeApiKey(key.id, PLATFORM);
    const refused = await postGraphQL(url, { query: '{ viewer { tenantId } }' }, { token: key.secret });
    expect([refused.status, code(refused)]).toEqual([401, 'API_KEY_REVOKED']);
  });

  it('ends a live subscription at its next event once the key is revoked', async () => {
    const key = await keyFor(tenantA, ['admin:read']);
    const client = connect(url.replace('http://', 'ws://'), key.secret);
    const sub = collect(client, 'subscription ($t: ID!) { costUpdated(tenantId: $t) { totalRequests } }', { t: tenantA });
    // The cost subgraph is not running here: the first push is its (non-final) error, under the key's identity.
    await sub.until((results) => results.length === 1);
    expect(sub.results[0]?.errors?.[0]?.extensions?.['code']).toBe('SUBGRAPH_UNAVAILABLE');
    await tenants.revokeApiKey(key.id, PLATFORM);
    await bus.publish(COST_UPDATED_CHANNEL, JSON.stringify({ tenantId: tenantA }));
    await sub.done;
    expect(sub.results.at(-1)?.errors?.[0]?.extensions?.['code']).toBe('API_KEY_REVOKED');
    await client.dispose();
  });

  it('refuses an expired key', async () => {
    const key = await keyFor(tenantA, ['admin:read']);
    await db.withTenant(tenantA, (tx) => tx.apiKey.update({ where: { id: key.id }, data: { expiresAt: new Date(Date.now() - 1000) } }));
    const refused = await postGraphQL(url, { query: '{ viewer { tenantId } }' }, { token: key.secret });
    expect([refused.status, code(refused)]).toEqual([401, 'API_KEY_EXPIRED']);
  });
});

describe('signed-in people: tenant and role from the members table', () => {
  it('a member gets their oldest membership, and may pick another with x-switchyard-tenant', async () => {
    const { accessToken } = await issuer.loginAs(ALICE);
    const first = await postGraphQL(url, { query: '{ viewer { subject roles tenantId } }' }, { token: accessToken });
    expect(first.body.data).toEqual({ viewer: { subject: 'alice', roles: ['tenant_admin'], tenantId: tenantA } });
    const picked = await postGraphQL(url, { query: '{ viewer { roles tenantId } }' }, { token: accessToken, headers: { 'x-switchyard-tenant': tenantB } });
    expect(picked.body.data).toEqual({ viewer: { roles: ['viewer'], tenantId: tenantB } });
  });

  it("matches by email when the subject is unknown, and ignores the token's own tenant and role claims", async () => {
    const { accessToken } = await issuer.loginAs(BOB);
    const response = await postGraphQL(url, { query: '{ viewer { roles tenantId } }' }, { token: accessToken });
    expect(response.body.data).toEqual({ viewer: { roles: ['operator'], tenantId: tenantB } });
  });

  it('refuses a person who is a member of no tenant, or names a tenant they are not in, with NOT_A_MEMBER', async () => {
    const nobody = await postGraphQL(url, { query: '{ viewer { tenantId } }' }, { token: (await issuer.loginAs(NOBODY)).accessToken });
    expect([nobody.status, code(nobody)]).toEqual([403, 'NOT_A_MEMBER']);
    expect(nobody.body.errors?.[0]?.message).toMatch(/not a member of any tenant/);
    const bob = await postGraphQL(url, { query: '{ viewer { tenantId } }' }, { token: (await issuer.loginAs(BOB)).accessToken, headers: { 'x-switchyard-tenant': tenantA } });
    expect([bob.status, code(bob)]).toEqual([403, 'NOT_A_MEMBER']);
    expect(seenBySubgraph).toEqual([]);
  });

  it('the seeded admin is platform admin; membership changes apply at once', async () => {
    const admin = await postGraphQL(url, { query: '{ viewer { roles tenantId } tenants { slug } }' }, { token: (await issuer.loginAsAdmin()).accessToken });
    expect(admin.body.data).toMatchObject({ viewer: { roles: ['platform_admin'], tenantId: null } });
    const nobodyToken = (await issuer.loginAs(NOBODY)).accessToken;
    expect(code(await postGraphQL(url, { query: '{ viewer { tenantId } }' }, { token: nobodyToken }))).toBe('NOT_A_MEMBER');
    await createMembersService({ db, bus }).addMember({ tenantId: tenantA, subject: 'nobody', role: 'viewer' }, PLATFORM);
    const now = await postGraphQL(url, { query: '{ viewer { roles tenantId } }' }, { token: nobodyToken });
    expect(now.body.data).toEqual({ viewer: { roles: ['viewer'], tenantId: tenantA } });
  });
});
