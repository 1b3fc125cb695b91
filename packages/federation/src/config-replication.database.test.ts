import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { CONFIG_PATH } from './config-http';
import { composeConfigReplication, type ConfigReplication } from './config-coordinator';
import { publicKeyFromJwk, signingKeyFromJwk, type RegionKeyring } from './signing';

/**
 * Config replication between two regions' databases (Postgres), without data planes: what each
 * kind of change becomes on the other side, and what B's data planes are told on its bus. The
 * whole path with data planes serving is data-plane/src/composition/two-regions-config.database.test.ts.
 */
const databases: TestDatabase[] = [];
const replications: ConfigReplication[] = [];
const servers: Server[] = [];

function keyPair(region: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { signing: signingKeyFromJwk(region, `${region}-1`, privateKey.export({ format: 'jwk' })), trusted: { keyId: `${region}-1`, publicKey: publicKeyFromJwk(publicKey.export({ format: 'jwk' })) } };
}
const KEYS = { 'region-a': keyPair('region-a'), 'region-b': keyPair('region-b') };
const KEYRING: RegionKeyring = new Map([
  ['region-a', [KEYS['region-a'].trusted]],
  ['region-b', [KEYS['region-b'].trusted]],
]);
const TOKEN = 'a-federation-token-of-some-length';

type Region = Awaited<ReturnType<typeof startRegion>>;
async function startRegion(region: 'region-a' | 'region-b', peer?: () => string) {
  const database = await createTestDatabase();
  databases.push(database);
  const published: Array<{ channel: string; message: string }> = [];
  const peers = peer ? [{ region: region === 'region-a' ? 'region-b' : 'region-a', get baseUrl() { return peer(); } }] : [];
  const replication = composeConfigReplication(
    { region, signingKey: KEYS[region].signing, keyring: KEYRING, peers, token: TOKEN, platformWriter: 'region-a', cutMs: 3_600_000, pollMs: 3_600_000 },
    { db: database.db, bus: { publish: async (channel, message) => void published.push({ channel, message }) } },
  );
  replications.push(replication);
  const server = createServer((request, response) => {
    if (!replication.handle(request, response)) response.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { db: database.db, replication, published, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let a: Region;
let b: Region;
beforeAll(async () => {
  a = await startRegion('region-a', () => b.url);
  b = await startRegion('region-b', () => a.url);
});
afterAll(async () => {
  for (const replication of replications.splice(0)) await replication.close();
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const database of databases.splice(0)) await database.drop();
});

/** One replication round from `from` to `to`: `from` signs what is pending, `to` pulls it. */
async function replicate(from: Region, to: Region) {
  await from.replication.cutOnce();
  const [result] = await to.replication.pollOnce();
  expect(result?.ok).toBe(true);
  return result;
}

const hash = () => randomBytes(32).toString('hex');

async function createTenant(db: Database, home: string, regionPinned = false) {
  const id = randomUUID();
  await db.withPlatform((tx) => tx.tenant.create({ data: { id, slug: `t-${id}`, name: 'tenant', homeRegion: home, regionPinned } }));
  return id;
}

async function stateOf(db: Database, tenantId: string) {
  const tenant = await db.withPlatform((tx) => tx.tenant.findUnique({ where: { id: tenantId }, select: { homeRegion: true, regionPinned: true, requestsPerMinute: true } }));
  if (!tenant) return null;
  return db.withTenant(tenantId, async (tx) => ({
    tenant,
    keys: await tx.apiKey.findMany({ where: { tenantId }, select: { id: true, hash: true, revokedAt: true }, orderBy: { hash: 'asc' } }),
    policies: await tx.policyVersion.findMany({ where: { tenantId }, select: { id: true, version: true, status: true }, orderBy: { version: 'asc' } }),
    routes: await tx.route.findMany({ where: { tenantId }, select: { id: true, name: true, definition: true }, orderBy: { name: 'asc' } }),
  }));
}

describe('config replication between two regions’ databases', () => {
  it('replicates a revocation and announces the key to B’s data planes; a key’s last use is never captured', async () => {
    const tenant = await createTenant(a.db, 'region-a');
    const keyHash = hash();
    const keyId = await a.db.withTenant(tenant, async (tx) => (await tx.apiKey.create({ data: { tenantId: tenant, name: 'k', prefix: 'sk-sy-x', hash: keyHash, scopes: ['inference'] } })).id);
    await replicate(a, b);
    expect((await stateOf(b.db, tenant))?.keys).toEqual([{ id: keyId, hash: keyHash, revokedAt: null }]);

    await a.db.touchApiKeys([{ id: keyId, usedAt: new Date() }]);
    expect(await a.db.withPlatform((tx) => tx.configChange.count())).toBe(0);

    b.published.length = 0;
    const revokedAt = new Date('2026-12-01T00:00:00.000Z');
    await a.db.withTenant(tenant, (tx) => tx.apiKey.update({ where: { id: keyId }, data: { revokedAt } }));
    await replicate(a, b);
    expect((await stateOf(b.db, tenant))?.keys).toEqual([{ id: keyId, hash: keyHash, revokedAt }]);
    expect(b.published).toEqual([{ channel: 'switchyard:api-key.changed', message: JSON.stringify({ keyHash }) }]);
  });

  it('moves the active policy with its activation and keeps at most one version active in B', async () => {
    const tenant = await createTenant(a.db, 'region-a');
    const v1 = await a.db.withTenant(tenant, (tx) => tx.policyVersion.create({ data: { tenantId: tenant, version: 1, text: 'permit (principal, action, resource);', status: 'active', proposedBy: 'x', approvedBy: 'y', activatedAt: new Date() } }));
    await replicate(a, b);
    await a.db.withTenant(tenant, async (tx) => {
      await tx.policyVersion.update({ where: { id: v1.id }, data: { status: 'superseded' } });
      await tx.policyVersion.create({ data: { tenantId: tenant, version: 2, text: 'forbid (principal, action, resource);', status: 'active', proposedBy: 'x', approvedBy: 'y', activatedAt: new Date() } });
    });
    b.published.length = 0;
    await replicate(a, b);
    expect((await stateOf(b.db, tenant))?.policies.map((p) => [p.version, p.status])).toEqual([
      [1, 'superseded'],
      [2, 'active'],
    ]);
    expect(b.published).toContainEqual({ channel: 'switchyard:policy.changed', message: JSON.stringify({ tenantId: tenant }) });
    expect(await stateOf(b.db, tenant)).toEqual(await stateOf(a.db, tenant));
  });

  it('keeps only a pinned tenant’s identity in B, and sends everything again when it is unpinned', async () => {
    const tenant = await createTenant(a.db, 'region-a');
    await a.db.withTenant(tenant, async (tx) => {
      await tx.apiKey.create({ data: { tenantId: tenant, name: 'k', prefix: 'sk-sy-p', hash: hash(), scopes: ['inference'] } });
      await tx.policyVersion.create({ data: { tenantId: tenant, version: 1, text: 'permit (principal, action, resource);', status: 'active', proposedBy: 'x', approvedBy: 'y' } });
      await tx.route.create({ data: { tenantId: tenant, name: 'mine', definition: { candidates: [{ model: 'mock-gpt' }] }, createdBy: 'x', updatedBy: 'x' } });
    });
    await replicate(a, b);
    expect(await stateOf(b.db, tenant)).toEqual(await stateOf(a.db, tenant));

    await a.db.withPlatform((tx) => tx.tenant.update({ where: { id: tenant }, data: { regionPinned: true } }));
    await replicate(a, b);
    const pinned = await stateOf(b.db, tenant);
    expect(pinned).toMatchObject({ tenant: { regionPinned: true }, policies: [], routes: [] });
    expect(pinned?.keys).toEqual((await stateOf(a.db, tenant))?.keys);
    // While pinned, a new route stays home.
    await a.db.withTenant(tenant, (tx) => tx.route.create({ data: { tenantId: tenant, name: 'second', definition: { candidates: [{ model: 'mock-mini' }] }, createdBy: 'x', updatedBy: 'x' } }));
    await replicate(a, b);
    expect((await stateOf(b.db, tenant))?.routes).toEqual([]);

    await a.db.withPlatform((tx) => tx.tenant.update({ where: { id: tenant }, data: { regionPinned: false } }));
    await replicate(a, b);
    expect(await stateOf(b.db, tenant)).toEqual(await stateOf(a.db, tenant));
  });

  it('hands a moved tenant over: B becomes its writer, and A takes B’s changes of it from then on', async () => {
    const tenant = await createTenant(a.db, 'region-a');
    await replicate(a, b);
    await a.db.withPlatform((tx) => tx.tenant.update({ where: { id: tenant }, data: { homeRegion: 'region-b' } }));
    await replicate(a, b);
    expect((await stateOf(b.db, tenant))?.tenant.homeRegion).toBe('region-b');

    // A writes the tenant after the move (it should not): published by nobody, since A is not its home.
    await a.db.withPlatform((tx) => tx.tenant.update({ where: { id: tenant }, data: { requestsPerMinute: 5 } }));
    expect(await a.replication.cutOnce()).toEqual([]);
    // Its new home writes it: A follows.
    await b.db.withPlatform((tx) => tx.tenant.update({ where: { id: tenant }, data: { requestsPerMinute: 60 } }));
    await replicate(b, a);
    expect((await stateOf(a.db, tenant))?.tenant).toEqual({ homeRegion: 'region-b', regionPinned: false, requestsPerMinute: 60 });
  });

  it('deletes in B a tenant deleted in A, with everything of it', async () => {
    const tenant = await createTenant(a.db, 'region-a');
    await a.db.withTenant(tenant, (tx) => tx.apiKey.create({ data: { tenantId: tenant, name: 'k', prefix: 'sk-sy-d', hash: hash(), scopes: [] } }));
    await replicate(a, b);
    expect(await stateOf(b.db, tenant)).not.toBeNull();
    await a.db.withPlatform((tx) => tx.tenant.delete({ where: { id: tenant } }));
    await replicate(a, b);
    expect(await stateOf(b.db, tenant)).toBeNull();
  });

  it('splits a large batch into several deltas applied in order, once, even with concurrent cuts and pollers', async () => {
    const tenant = await createTenant(a.db, 'region-a');
    await a.db.withTenant(tenant, (tx) => tx.apiKey.createMany({ data: Array.from({ length: 450 }, (_, i) => ({ tenantId: tenant, name: `k${i}`, prefix: 'sk-sy-m', hash: hash(), scopes: [] })) }));
    // Two coordinator replicas of A cutting at once, and B polling twice at once through two replicas.
    const [first, second] = await Promise.all([a.replication.cutOnce(), composeSecondReplica(a).cutOnce()]);
    expect(first.length + second.length).toBe(3); // 451 changes, 200 per delta, none signed twice
    const replicaOfB = composeSecondReplica(b);
    const results = await Promise.all([b.replication.pollOnce(), replicaOfB.pollOnce()]);
    const outcomes = results.flat().map((result) => (result.ok ? result.outcomes : {}));
    expect(outcomes.reduce((sum, outcome) => sum + (outcome.applied ?? 0), 0)).toBe(3);
    expect((await stateOf(b.db, tenant))?.keys).toEqual((await stateOf(a.db, tenant))?.keys);
  });

  it('serves the feed only with the token, to GET, from a valid version', async () => {
    expect((await fetch(`${a.url}${CONFIG_PATH}?since=0`)).status).toBe(401);
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await fetch(`${a.url}${CONFIG_PATH}?since=-1`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${a.url}${CONFIG_PATH}?since=0`, { headers: auth, method: 'POST' })).status).toBe(405);
    const page = (await (await fetch(`${a.url}${CONFIG_PATH}?since=0`, { headers: auth })).json()) as { region: string; deltas: unknown[] };
    expect(page.region).toBe('region-a');
    expect(page.deltas.length).toBeGreaterThan(0);
  });
});

/** Another coordinator replica of the same region (same database and key). */
function composeSecondReplica(region: Region): ConfigReplication {
  const name = region === a ? 'region-a' : 'region-b';
  const replica = composeConfigReplication(
    { region: name, signingKey: KEYS[name].signing, keyring: KEYRING, peers: [{ region: name === 'region-a' ? 'region-b' : 'region-a', baseUrl: name === 'region-a' ? b.url : a.url }], token: TOKEN, platformWriter: 'region-a', cutMs: 3_600_000, pollMs: 3_600_000 },
    { db: region.db, bus: { publish: async () => undefined } },
  );
  replications.push(replica);
  return replica;
}
