import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { seed, type Database } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { publicKeyFromJwk, signingKeyFromJwk, type RegionKeyring, type RegionSigningKey, type SignedDelta } from '@switchyard/federation';
import { composeConfigReplication, signConfigDelta, type ConfigReplication } from '@switchyard/federation/config-replication';
import { POLICY_CHANGED_CHANNEL, policyChangedMessage } from '@switchyard/events/policy';
import { ROUTES_CHANGED_CHANNEL, routesChangedMessage } from '@switchyard/events/routing';
import { generateApiKeySecret } from '@switchyard/identity';
import { createLocalKms, generateMasterKey } from '@switchyard/identity/envelope';
import { ThrowawayRedis } from '@switchyard/redis-connection/testing';
import { loadDataPlaneConfig } from '../config';
import { composeDataPlane, type ComposedDataPlane } from './compose-data-plane';
import { openSharedState, type SharedState } from './shared-state';
import { databaseStores } from './stores';

/**
 * The global configuration between two regions (DESIGN.md §10), end to end: each region a data
 * plane on its own Postgres database and Redis, each with its federation coordinator's config
 * replication. What an admin writes in region A for a tenant homed there (its settings, an API
 * key, an active policy, a route) reaches region B only through A's signed config deltas, pulled by
 * B's coordinator over loopback HTTP and applied to B's database, after which B's data planes serve
 * the tenant as A would. Nothing B records while serving it flows back, and nothing but A's own,
 * validly signed deltas about A's tenants changes B.
 */
const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefixA = `sy-test-config-a-${randomUUID()}:`;

const databases: TestDatabase[] = [];
const apps: ComposedDataPlane[] = [];
const states: SharedState[] = [];
const replications: ConfigReplication[] = [];
const servers: Server[] = [];
let redisB: ThrowawayRedis | undefined;

afterAll(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const replication of replications.splice(0)) await replication.close();
  for (const server of servers.splice(0)) if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const state of states.splice(0)) await state.close();
  for (const database of databases.splice(0)) await database.drop();
  await redisB?.stop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefixA}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

function regionKey(region: string): { signing: RegionSigningKey; trusted: { keyId: string; publicKey: ReturnType<typeof publicKeyFromJwk> } } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { signing: signingKeyFromJwk(region, `${region}-1`, privateKey.export({ format: 'jwk' })), trusted: { keyId: `${region}-1`, publicKey: publicKeyFromJwk(publicKey.export({ format: 'jwk' })) } };
}

const KEYS = { a: regionKey('region-a'), b: regionKey('region-b') };
const KEYRING: RegionKeyring = new Map([
  ['region-a', [KEYS.a.trusted]],
  ['region-b', [KEYS.b.trusted]],
]);

/** A region: database (seeded, as every region is), Redis, data plane, config replication served over HTTP. */
async function startRegion(region: 'region-a' | 'region-b', redisUrl: string, prefix: string, peer?: { region: string; baseUrl: string }) {
  const database = await createTestDatabase();
  databases.push(database);
  await seed(database.db);
  const config = loadDataPlaneConfig({ SWITCHYARD_REGION: region, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix });
  const state = openSharedState(config);
  states.push(state);
  const kms = createLocalKms({ masterKeys: { main: generateMasterKey() }, activeKeyId: 'main' });
  // Routes arrive by the routes.changed event only (no periodic resync to hide a missing event).
  const app = await composeDataPlane(config, { stores: databaseStores(database.db, { kms, routeResyncIntervalMs: 0 }), bus: state.bus, rateLimiter: state.rateLimiter, feedbackLog: state.feedbackLog });
  apps.push(app);
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const replication = composeConfigReplication(
    { region, signingKey: KEYS[region === 'region-a' ? 'a' : 'b'].signing, keyring: KEYRING, peers: peer ? [peer] : [], platformWriter: 'region-a', cutMs: 3_600_000, pollMs: 3_600_000 },
    { db: database.db, bus: state.bus },
  );
  replications.push(replication);
  if (region === 'region-b') expect(await replication.cutOnce()).toEqual([]); // B's own seed: nothing B publishes (the price book is A's)
  const feed = createServer((request, response) => {
    if (!replication.handle(request, response)) response.writeHead(404).end();
  });
  servers.push(feed);
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  return {
    db: database.db,
    bus: state.bus,
    replication,
    feed,
    feedUrl: `http://127.0.0.1:${(feed.address() as AddressInfo).port}`,
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/chat/completions`,
  };
}

const chat = (url: string, secret: string, model = 'mock-mini') =>
  fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'who configured me?' }] }),
  });

async function statusOf(url: string, secret: string, model?: string): Promise<number> {
  const response = await chat(url, secret, model);
  await response.arrayBuffer();
  return response.status;
}

/** Everything of a tenant's configuration a region's database holds (the tenant's own scope). */
async function configOf(db: Database, tenantId: string) {
  const tenant = await db.withPlatform((tx) => tx.tenant.findUnique({ where: { id: tenantId }, select: { homeRegion: true, regionPinned: true, requestsPerMinute: true } }));
  const rest = await db.withTenant(tenantId, async (tx) => ({
    keys: await tx.apiKey.findMany({ where: { tenantId }, select: { id: true, hash: true, revokedAt: true }, orderBy: { createdAt: 'asc' } }),
    policies: await tx.policyVersion.findMany({ where: { tenantId }, select: { id: true, version: true, status: true }, orderBy: { version: 'asc' } }),
    routes: await tx.route.findMany({ where: { tenantId }, select: { id: true, name: true, version: true } }),
  }));
  return { tenant, ...rest };
}

const DENY_LARGE = `@id("allow-all") permit (principal, action, resource);
@id("no-large") forbid (principal, action == Action::"use_model", resource is Model) when { resource.id == "mock-large" };`;

describe('global configuration between two regions', () => {
  it("replicates a tenant homed in A (settings, key, active policy, route) to B, where B's data plane serves it; forged, replayed and B-signed deltas about it change nothing; a key deleted in A stops working in B", async () => {
    redisB = await ThrowawayRedis.start();
    const a = await startRegion('region-a', REDIS_URL, prefixA);
    const b = await startRegion('region-b', redisB.url, '', { region: 'region-a', baseUrl: a.feedUrl });

    // Region A's admin plane writes (here straight into A's database, as its subgraphs would).
    const roaming = { id: randomUUID(), key: generateApiKeySecret(), spare: generateApiKeySecret() };
    const pinned = { id: randomUUID(), key: generateApiKeySecret() };
    for (const [tenant, regionPinned] of [[roaming, false], [pinned, true]] as const) {
      await a.db.withPlatform((tx) => tx.tenant.create({ data: { id: tenant.id, slug: `cfg-${tenant.id}`, name: 'config', homeRegion: 'region-a', regionPinned } }));
      await a.db.withTenant(tenant.id, async (tx) => {
        await tx.apiKey.create({ data: { tenantId: tenant.id, name: 'k', prefix: tenant.key.prefix, hash: tenant.key.hash, scopes: ['inference'] } });
        if (tenant === roaming) await tx.apiKey.create({ data: { tenantId: tenant.id, name: 'spare', prefix: roaming.spare.prefix, hash: roaming.spare.hash, scopes: ['inference'] } });
        await tx.policyVersion.create({ data: { tenantId: tenant.id, version: 1, text: DENY_LARGE, status: 'active', proposedBy: 'admin', approvedBy: 'other-admin', activatedAt: new Date() } });
        await tx.route.create({ data: { tenantId: tenant.id, name: 'acme-route', definition: { candidates: [{ model: 'mock-gpt' }], strategy: { kind: 'weighted' } }, createdBy: 'admin', updatedBy: 'admin' } });
      });
    }
    // What the policy and experiments subgraphs announce in A after such writes.
    for (const tenant of [roaming, pinned]) {
      await a.bus.publish(POLICY_CHANGED_CHANNEL, policyChangedMessage(tenant.id));
      await a.bus.publish(ROUTES_CHANGED_CHANNEL, routesChangedMessage(tenant.id));
    }
    await vi.waitFor(async () => expect(await statusOf(a.url, pinned.key.secret, 'mock-large')).toBe(403), { timeout: 5_000, interval: 50 }); // A enforces the policy it wrote
    expect(await statusOf(b.url, roaming.key.secret)).toBe(401); // B knows nothing of it yet

    // A signs what changed; B pulls and applies.
    const signedByA = await a.replication.cutOnce();
    expect(signedByA.length).toBeGreaterThan(0);
    expect(await b.replication.pollOnce()).toEqual([{ region: 'region-a', ok: true, outcomes: { applied: signedByA.length } }]);

    // B's data plane: the key authenticates, the policy denies what it denies in A, the route serves.
    await vi.waitFor(async () => expect(await statusOf(b.url, roaming.key.secret)).toBe(200), { timeout: 5_000, interval: 50 });
    await vi.waitFor(async () => expect(await statusOf(b.url, roaming.key.secret, 'mock-large')).toBe(403), { timeout: 5_000, interval: 50 });
    await vi.waitFor(async () => expect(await statusOf(b.url, roaming.key.secret, 'acme-route')).toBe(200), { timeout: 5_000, interval: 50 });
    // The pinned tenant: known in B (so B refuses it clearly), but none of its configuration is there.
    const refused = await chat(b.url, pinned.key.secret);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('region_not_allowed');
    const pinnedInB = await configOf(b.db, pinned.id);
    expect(pinnedInB.tenant).toEqual({ homeRegion: 'region-a', regionPinned: true, requestsPerMinute: null });
    expect(pinnedInB.keys.map((key) => key.hash)).toEqual([pinned.key.hash]);
    expect(pinnedInB).toMatchObject({ policies: [], routes: [] });
    // The price book: B holds A's (the platform's writer) as A holds it.
    const priceBook = (db: Database) => db.withPlatform((tx) => tx.modelPrice.findMany({ orderBy: [{ version: 'asc' }, { model: 'asc' }] }));
    expect(await priceBook(b.db)).toEqual(await priceBook(a.db));

    // B's config rows are A's rows (same ids), and serving in B left its traces in B only.
    const inA = await configOf(a.db, roaming.id);
    const inB = await configOf(b.db, roaming.id);
    expect(inB.policies).toEqual(inA.policies);
    expect(inB.routes).toEqual(inA.routes);
    expect(inB.keys.map((key) => key.id)).toEqual(inA.keys.map((key) => key.id));
    expect(await b.db.withPlatform((tx) => tx.configChange.count())).toBe(0); // applying queued nothing for B to publish

    // Hostile deltas, handed straight to B's receiver.
    const before = await configOf(b.db, roaming.id);
    const replayed = signedByA[0] as SignedDelta;
    expect(await b.replication.receiver.receive(replayed, 'region-a')).toBe('replayed_or_stale');
    const forgedPayload = JSON.parse(Buffer.from(replayed.payload, 'base64url').toString('utf8')) as { version: number };
    forgedPayload.version = Date.now() + 60_000;
    const forged = { ...replayed, payload: Buffer.from(JSON.stringify(forgedPayload)).toString('base64url') };
    expect(await b.replication.receiver.receive(forged, 'region-a')).toBe('bad_signature');
    const stolenKey = generateApiKeySecret();
    const byB = signConfigDelta(KEYS.b.signing, {
      feed: 'config',
      region: 'region-b',
      version: Date.now(),
      issuedAt: Date.now(),
      ops: [
        { op: 'tenant.upsert', tenant: { id: roaming.id, slug: `cfg-${roaming.id}`, name: 'taken over', allowedRegions: [], defaultDataClassification: 'internal', requestsPerMinute: 1, tokensPerMinute: null, tokensPerDay: null, homeRegion: 'region-b', regionPinned: false, createdAt: new Date().toISOString() } },
        { op: 'api_key.upsert', apiKey: { id: randomUUID(), tenantId: roaming.id, name: 'backdoor', prefix: stolenKey.prefix, hash: stolenKey.hash, scopes: ['inference'], createdAt: new Date().toISOString(), expiresAt: null, revokedAt: null } },
        { op: 'route.delete', tenantId: roaming.id, id: inA.routes[0]?.id ?? randomUUID() },
        { op: 'price_book.upsert', priceBook: { version: 99, createdAt: new Date().toISOString(), prices: [] } },
      ],
    });
    // Served to A by B (its peer), and looped back to B: neither changes anything.
    const receivedByA = composeConfigReplication({ region: 'region-a', signingKey: KEYS.a.signing, keyring: KEYRING, peers: [], platformWriter: 'region-a', cutMs: 3_600_000, pollMs: 3_600_000 }, { db: a.db, bus: { publish: async () => undefined } });
    replications.push(receivedByA);
    expect(await receivedByA.receiver.receive(byB, 'region-b')).toBe('applied');
    expect(receivedByA.receiver.refusedOps()).toEqual({ not_home: 3, not_platform_writer: 1 });
    expect(await b.replication.receiver.receive(byB, 'region-a')).toBe('own_region');
    expect(await configOf(a.db, roaming.id)).toEqual(inA);
    expect(await configOf(b.db, roaming.id)).toEqual(before);
    expect(await a.db.withPlatform((tx) => tx.priceBookVersion.count({ where: { version: 99 } }))).toBe(0);

    // A partition: A deletes a key while B cannot reach it; B catches up when the link heals, and the key stops working there.
    expect(await statusOf(b.url, roaming.spare.secret)).toBe(200);
    const port = (a.feed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => a.feed.close(() => resolve()));
    await a.db.withTenant(roaming.id, (tx) => tx.apiKey.deleteMany({ where: { hash: roaming.spare.hash } }));
    expect((await a.replication.cutOnce()).length).toBe(1);
    const [unreachable] = await b.replication.pollOnce();
    expect(unreachable?.ok).toBe(false);
    await new Promise<void>((resolve) => a.feed.listen(port, '127.0.0.1', resolve));
    expect(await b.replication.pollOnce()).toEqual([{ region: 'region-a', ok: true, outcomes: { applied: 1 } }]);
    await vi.waitFor(async () => expect(await statusOf(b.url, roaming.spare.secret)).toBe(401), { timeout: 5_000, interval: 50 });
    expect(await statusOf(b.url, roaming.key.secret)).toBe(200);

    // Usage stays where it was served: B's last-use record of the key is B's, and nothing of it goes back to A.
    for (const app of apps.splice(1)) await app.close(); // B's data plane flushes its last-use records
    const lastUsed = (db: Database) => db.withTenant(roaming.id, async (tx) => (await tx.apiKey.findUnique({ where: { hash: roaming.key.hash }, select: { lastUsedAt: true } }))?.lastUsedAt);
    expect(await lastUsed(b.db)).toBeInstanceOf(Date);
    expect(await b.replication.cutOnce()).toEqual([]);
    expect(await a.replication.cutOnce()).toEqual([]);
    expect(await lastUsed(a.db)).toBeNull(); // the key was only ever used in B
  });
});
