import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_CHANGED_CHANNEL } from '@switchyard/events/tenants';
import type { Database } from '@switchyard/db';
import { createMemoryTestDatabase } from '@switchyard/db/testing';
import type { MemoryTestDatabase } from '@switchyard/db/testing';
import { hashApiKeySecret } from '@switchyard/identity';
import { createTenantsService } from '../src/tenants-service';
import type { Tenant } from '../src/tenant-types';
import { countTransactions } from '@switchyard/subgraph-kit/testing';
import { AUDIENCE, PLATFORM_ADMIN, errorCodes, principalOf, startTenantsHarness } from './harness';
import type { TenantsHarness } from './harness';

let testDatabase: MemoryTestDatabase;
let db: Database;
let harness: TenantsHarness;
let tenantA: Tenant;
let tenantB: Tenant;
let keyOfB: string;

const adminA = () => principalOf(['tenant_admin'], tenantA.id, 'admin-a');
const operatorA = () => principalOf(['operator'], tenantA.id, 'operator-a');

beforeAll(async () => {
  testDatabase = await createMemoryTestDatabase();
  db = testDatabase.db;
  harness = await startTenantsHarness(db);
  const service = createTenantsService({ db, bus: harness.bus });
  tenantA = await service.createTenant({ slug: 'tenant-a', name: 'Tenant A' }, PLATFORM_ADMIN);
  tenantB = await service.createTenant({ slug: 'tenant-b', name: 'Tenant B' }, PLATFORM_ADMIN);
  keyOfB = (await service.createApiKey({ tenantSlug: 'tenant-b', name: 'b key' }, PLATFORM_ADMIN)).apiKey.id;
});

afterAll(async () => {
  await harness?.close();
  await testDatabase?.drop();
});

describe('authentication', () => {
  it('refuses requests without a token', async () => {
    const reply = await harness.request(null, '{ viewer { subject } }');
    expect(reply.status).toBe(401);
    expect(errorCodes(reply)).toEqual(['UNAUTHENTICATED']);
    expect(reply.body.data ?? null).toBeNull();
  });

  it('refuses a token minted for another audience', async () => {
    const token = await harness.signer.sign(PLATFORM_ADMIN, 'subgraph:cost');
    const reply = await harness.request(null, '{ tenants { id } }', {}, { token });
    expect(reply.status).toBe(401);
    expect(errorCodes(reply)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a garbage token', async () => {
    const reply = await harness.request(null, '{ tenants { id } }', {}, { token: 'not.a.jwt' });
    expect(errorCodes(reply)).toEqual(['UNAUTHENTICATED']);
  });

  it('guards the federation fields too', async () => {
    const sdl = await harness.request(null, '{ _service { sdl } }');
    expect(errorCodes(sdl)).toEqual(['UNAUTHENTICATED']);
    const entities = await harness.request(null, 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Tenant { slug } } }', {
      r: [{ __typename: 'Tenant', id: tenantB.id }],
    });
    expect(errorCodes(entities)).toEqual(['UNAUTHENTICATED']);
  });

  it('serves _service to an authenticated caller', async () => {
    const reply = await harness.request(PLATFORM_ADMIN, '{ _service { sdl } }');
    expect(reply.body.data).toMatchObject({ _service: { sdl: expect.stringContaining('type Tenant') } });
  });

  it('tells the caller who it is', async () => {
    const reply = await harness.request(adminA(), '{ viewer { subject email roles tenantId } }');
    expect(reply.body.data).toEqual({ viewer: { subject: 'admin-a', email: 'admin-a@example.test', roles: ['tenant_admin'], tenantId: tenantA.id } });
  });
});

describe('tenant isolation', () => {
  it('lists every tenant for a platform admin and only its own for a tenant admin', async () => {
    const all = await harness.request(PLATFORM_ADMIN, '{ tenants { slug } }');
    expect(all.body.data).toMatchObject({ tenants: expect.arrayContaining([{ slug: 'tenant-a' }, { slug: 'tenant-b' }]) });
    const own = await harness.request(adminA(), '{ tenants { slug } }');
    expect(own.body.data).toEqual({ tenants: [{ slug: 'tenant-a' }] });
  });

  it('hides another tenant behind tenant(slug)', async () => {
    const other = await harness.request(adminA(), '{ tenant(slug: "tenant-b") { id apiKeys { id } } }');
    expect(other.body).toEqual({ data: { tenant: null } });
    const own = await harness.request(adminA(), '{ tenant(slug: "tenant-a") { id slug name } }');
    expect(own.body.data).toEqual({ tenant: { id: tenantA.id, slug: 'tenant-a', name: 'Tenant A' } });
  });

  it("resolves another tenant's entity representation to null", async () => {
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Tenant { id slug apiKeys { id } } ... on ApiKey { id name } } }';
    const reply = await harness.request(adminA(), query, {
      r: [
        { __typename: 'Tenant', id: tenantB.id },
        { __typename: 'Tenant', id: tenantA.id },
        { __typename: 'ApiKey', id: keyOfB },
        { __typename: 'Tenant', id: 'not-a-uuid' },
      ],
    });
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data).toEqual({ _entities: [null, { id: tenantA.id, slug: 'tenant-a', apiKeys: [] }, null, null] });
  });

  it("refuses to create a key in another tenant", async () => {
    const reply = await harness.request(adminA(), 'mutation ($t: ID!) { createApiKey(input: { tenantId: $t, name: "steal" }) { secret } }', { t: tenantB.id });
    expect(errorCodes(reply)).toEqual(['FORBIDDEN']);
    const keys = await createTenantsService({ db, bus: harness.bus }).listApiKeys(tenantB.id, PLATFORM_ADMIN);
    expect(keys.map((key) => key.name)).toEqual(['b key']);
  });

  it("cannot revoke another tenant's key and leaves it untouched", async () => {
    const reply = await harness.request(adminA(), 'mutation ($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }', { id: keyOfB });
    expect(errorCodes(reply)).toEqual(['NOT_FOUND']);
    const [key] = await createTenantsService({ db, bus: harness.bus }).listApiKeys(tenantB.id, PLATFORM_ADMIN);
    expect(key?.revokedAt).toBeNull();
  });

  it('lets readers read but not manage keys', async () => {
    const read = await harness.request(operatorA(), '{ tenant(slug: "tenant-a") { slug } }');
    expect(read.body.data).toEqual({ tenant: { slug: 'tenant-a' } });
    const create = await harness.request(operatorA(), 'mutation ($t: ID!) { createApiKey(input: { tenantId: $t, name: "x" }) { secret } }', { t: tenantA.id });
    expect(errorCodes(create)).toEqual(['FORBIDDEN']);
    const createTenant = await harness.request(adminA(), 'mutation { createTenant(input: { slug: "mine", name: "Mine" }) { id } }');
    expect(errorCodes(createTenant)).toEqual(['FORBIDDEN']);
  });
});

describe('API keys', () => {
  it('returns the secret once, stores only its hash, and revokes idempotently', async () => {
    const created = await harness.request(
      adminA(),
      'mutation ($t: ID!) { createApiKey(input: { tenantId: $t, name: "ci", scopes: ["inference"] }) { secret apiKey { id name prefix scopes revokedAt tenant { slug } } } }',
      { t: tenantA.id },
    );
    expect(created.body.errors).toBeUndefined();
    const payload = (created.body.data as { createApiKey: { secret: string; apiKey: { id: string; prefix: string; tenant: { slug: string } } } }).createApiKey;
    expect(payload.secret).toMatch(/^sk-sy-/);
    expect(payload.secret.startsWith(payload.apiKey.prefix)).toBe(true);
    expect(payload.apiKey.tenant.slug).toBe('tenant-a');

    const resolved = await db.resolveApiKey(hashApiKeySecret(payload.secret));
    expect(resolved).toMatchObject({ id: payload.apiKey.id, tenantId: tenantA.id, revokedAt: null });

    const announcements: string[] = [];
    const unsubscribe = await harness.bus.subscribe(API_KEY_CHANGED_CHANNEL, (message) => announcements.push(message));
    const revoke = 'mutation ($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }';
    const first = await harness.request(adminA(), revoke, { id: payload.apiKey.id });
    const second = await harness.request(adminA(), revoke, { id: payload.apiKey.id });
    await unsubscribe();
    const firstRevokedAt = (first.body.data as { revokeApiKey: { revokedAt: string } }).revokeApiKey.revokedAt;
    expect(firstRevokedAt).toEqual(expect.any(String));
    expect(second.body.data).toEqual(first.body.data);
    expect(announcements.map((message) => JSON.parse(message) as unknown)).toEqual([
      { keyHash: hashApiKeySecret(payload.secret) },
      { keyHash: hashApiKeySecret(payload.secret) },
    ]);
    expect((await db.resolveApiKey(hashApiKeySecret(payload.secret)))?.revokedAt).toEqual(new Date(firstRevokedAt));
  });

  it('lets a platform admin revoke a key of any tenant', async () => {
    const service = createTenantsService({ db, bus: harness.bus });
    const { apiKey } = await service.createApiKey({ tenantId: tenantB.id, name: 'to revoke' }, PLATFORM_ADMIN);
    const reply = await harness.request(PLATFORM_ADMIN, 'mutation ($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }', { id: apiKey.id });
    expect(reply.body.data).toEqual({ revokeApiKey: { id: apiKey.id, revokedAt: expect.any(String) } });
  });

  it('never exposes a secret or hash through the schema', async () => {
    const reply = await harness.request(PLATFORM_ADMIN, '{ tenant(slug: "tenant-b") { apiKeys { hash } } }');
    expect(errorCodes(reply)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

describe('bad input', () => {
  const createTenant = 'mutation ($input: CreateTenantInput!) { createTenant(input: $input) { id slug } }';

  it.each([
    ['upper case', 'Bad-Slug'],
    ['leading dash', '-abc'],
    ['trailing dash', 'abc-'],
    ['too short', 'a'],
    ['too long', 'a'.repeat(41)],
    ['hostile', "x'; drop table tenants; --"],
    ['unicode', 'tenänt'],
  ])('rejects a slug that is %s', async (_label, slug) => {
    const reply = await harness.request(PLATFORM_ADMIN, createTenant, { input: { slug, name: 'Bad' } });
    expect(reply.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.slug' });
  });

  it('rejects an empty or oversized name', async () => {
    for (const name of ['   ', 'n'.repeat(101)]) {
      const reply = await harness.request(PLATFORM_ADMIN, createTenant, { input: { slug: 'fine-slug', name } });
      expect(reply.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
    }
  });

  it('rejects malformed ids, scopes and expiry', async () => {
    const revoke = await harness.request(adminA(), 'mutation { revokeApiKey(id: "../../etc") { id } }');
    expect(revoke.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    const createKey = 'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }';
    const scopes = await harness.request(adminA(), createKey, { input: { tenantId: tenantA.id, name: 'k', scopes: ['<script>'] } });
    expect(scopes.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.scopes.0' });
    const expired = await harness.request(adminA(), createKey, { input: { tenantId: tenantA.id, name: 'k', expiresAt: '2000-01-01T00:00:00Z' } });
    expect(expired.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.expiresAt' });
    const notADate = await harness.request(adminA(), createKey, { input: { tenantId: tenantA.id, name: 'k', expiresAt: 'tomorrow' } });
    expect(errorCodes(notADate)).toEqual(['BAD_USER_INPUT']);
    const badTenant = await harness.request(adminA(), createKey, { input: { tenantId: 'nope', name: 'k' } });
    expect(badTenant.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.tenantId' });
    const badSlug = await harness.request(adminA(), '{ tenant(slug: "NOPE") { id } }');
    expect(badSlug.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'slug' });
  });

  it('makes the CLI name the tenant exactly once, and an unknown slug NOT_FOUND', async () => {
    const service = createTenantsService({ db, bus: harness.bus });
    await expect(service.createApiKey({ tenantId: tenantA.id, tenantSlug: 'tenant-a', name: 'k' }, PLATFORM_ADMIN)).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.tenantId' },
    });
    await expect(service.createApiKey({ name: 'k' }, PLATFORM_ADMIN)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await expect(service.createApiKey({ tenantSlug: 'no-such-tenant', name: 'k' }, PLATFORM_ADMIN)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    await expect(service.createApiKey({ tenantSlug: 'tenant-b', name: 'k' }, adminA())).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });

  it('answers malformed JSON with 400 and oversized bodies with 413', async () => {
    const token = await harness.signer.sign(PLATFORM_ADMIN, AUDIENCE);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const malformed = await fetch(harness.url, { method: 'POST', headers, body: '{"query": ' });
    expect(malformed.status).toBe(400);
    const oversized = await fetch(harness.url, { method: 'POST', headers, body: JSON.stringify({ query: `{ viewer { subject } } #${'x'.repeat(2 * 1024 * 1024)}` }) });
    expect(oversized.status).toBe(413);
  });

  it('blocks simple (CSRF-able) requests', async () => {
    const token = await harness.signer.sign(PLATFORM_ADMIN, AUDIENCE);
    const reply = await fetch(harness.url, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${token}` }, body: '{"query":"{ viewer { subject } }"}' });
    expect(reply.status).toBe(400);
  });
});

describe('creating tenants', () => {
  const createTenant = 'mutation ($input: CreateTenantInput!) { createTenant(input: $input) { id slug name } }';

  it('rejects a duplicate slug with CONFLICT', async () => {
    const reply = await harness.request(PLATFORM_ADMIN, createTenant, { input: { slug: 'tenant-a', name: 'Again' } });
    expect(reply.body.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'input.slug' });
  });

  it('creates exactly one tenant when the same slug is created concurrently', async () => {
    const replies = await Promise.all(
      Array.from({ length: 5 }, (_, index) => harness.request(PLATFORM_ADMIN, createTenant, { input: { slug: 'race', name: `Race ${index}` } })),
    );
    const created = replies.filter((reply) => reply.body.errors === undefined);
    expect(created).toHaveLength(1);
    expect(replies.flatMap(errorCodes)).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT']);
    const tenants = await createTenantsService({ db, bus: harness.bus }).listTenants(PLATFORM_ADMIN);
    expect(tenants.filter((tenant) => tenant.slug === 'race')).toHaveLength(1);
  });
});

describe('batching', () => {
  const entities = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Tenant { slug apiKeys { name } } } }';

  it('loads N references and their keys in one batch each', async () => {
    const counting = countTransactions(db);
    const batched = await startTenantsHarness(counting.db);
    try {
      const representations = [tenantA.id, tenantA.id, tenantA.id].map((id) => ({ __typename: 'Tenant', id }));
      const reply = await batched.request(adminA(), entities, { r: representations });
      expect(reply.body.errors).toBeUndefined();
      // One transaction for the three references, one for the keys: no N+1.
      expect(counting.counts).toEqual({ withTenant: 2, withPlatform: 0 });

      counting.reset();
      const all = await batched.request(PLATFORM_ADMIN, entities, { r: [tenantA, tenantB].map((tenant) => ({ __typename: 'Tenant', id: tenant.id })) });
      expect(all.body.data).toMatchObject({ _entities: [{ slug: 'tenant-a' }, { slug: 'tenant-b', apiKeys: expect.arrayContaining([{ name: 'b key' }]) }] });
      // Tenants in one platform query, and every tenant's keys in one more (the platform role's read policy on api_keys): N tenants cost what 1 costs.
      expect(counting.counts).toEqual({ withTenant: 0, withPlatform: 2 });
    } finally {
      await batched.close();
    }
  });
});

describe('internal errors', () => {
  it('are masked and logged', async () => {
    const broken: Database = {
      ...db,
      withTenant: () => Promise.reject(new Error('connection to 10.0.0.5 refused: password=hunter2')),
      withPlatform: () => Promise.reject(new Error('connection to 10.0.0.5 refused: password=hunter2')),
      readAsTenant: () => Promise.reject(new Error('connection to 10.0.0.5 refused: password=hunter2')),
      readAsPlatform: () => Promise.reject(new Error('connection to 10.0.0.5 refused: password=hunter2')),
    };
    const failing = await startTenantsHarness(broken);
    try {
      const reply = await failing.request(PLATFORM_ADMIN, '{ tenants { id } }');
      expect(reply.body.errors).toEqual([{ message: 'Internal server error', path: ['tenants'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
      expect(JSON.stringify(reply.body)).not.toContain('hunter2');
      expect(failing.logged.some((entry) => JSON.stringify(entry.details).includes('hunter2'))).toBe(true);
    } finally {
      await failing.close();
    }
  });
});
