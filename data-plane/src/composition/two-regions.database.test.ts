import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { seed, type Database } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { generateApiKeySecret } from '@switchyard/identity';
import { createLocalKms, generateMasterKey } from '@switchyard/identity/envelope';
import { loadDataPlaneConfig } from '../config';
import { ThrowawayRedis } from '@switchyard/redis-connection/testing';
import { composeDataPlane, type ComposedDataPlane } from './compose-data-plane';
import { openSharedState, type SharedState } from './shared-state';
import { databaseStores } from './stores';

/**
 * Two regions, each a data plane on its own Postgres database and its own Redis (region A on the
 * CI Redis under a unique prefix, region B on a redis-server of its own), with the same tenants and
 * keys in both (what the coordinator replicates). A tenant pinned to region A is served in A and
 * refused in B with 503 region_not_allowed, and nothing of it lands in B's stores; a tenant that is
 * not pinned is served by B (fail-over), which also shows the store checks can see a tenant's data.
 */
const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefixA = `sy-test-region-a-${randomUUID()}:`;

const databases: TestDatabase[] = [];
const apps: ComposedDataPlane[] = [];
const states: SharedState[] = [];
let redisB: ThrowawayRedis | undefined;

afterAll(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const state of states.splice(0)) await state.close();
  for (const database of databases.splice(0)) await database.drop();
  await redisB?.stop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefixA}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const PINNED = { id: randomUUID(), key: generateApiKeySecret() };
const ROAMING = { id: randomUUID(), key: generateApiKeySecret() };

/** What the coordinator replicates into every region: the tenants, their settings and their keys. */
async function replicateTenants(db: Database): Promise<void> {
  await seed(db);
  for (const [tenant, pinned] of [[PINNED, true], [ROAMING, false]] as const) {
    await db.withPlatform((tx) => tx.tenant.create({ data: { id: tenant.id, slug: `region-${tenant.id}`, name: 'regions', homeRegion: 'region-a', regionPinned: pinned } }));
    await db.withTenant(tenant.id, (tx) =>
      tx.apiKey.create({ data: { tenantId: tenant.id, name: 'regions', prefix: tenant.key.prefix, hash: tenant.key.hash, scopes: ['inference'] } }),
    );
  }
}

async function startRegion(region: string, redisUrl: string, prefix: string) {
  const database = await createTestDatabase();
  databases.push(database);
  await replicateTenants(database.db);
  const config = loadDataPlaneConfig({ SWITCHYARD_REGION: region, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix });
  expect(config.region).toBe(region);
  const state = openSharedState(config);
  states.push(state);
  const kms = createLocalKms({ masterKeys: { main: generateMasterKey() }, activeKeyId: 'main' });
  const app = await composeDataPlane(config, { stores: databaseStores(database.db, { kms }), bus: state.bus, rateLimiter: state.rateLimiter, feedbackLog: state.feedbackLog });
  apps.push(app);
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  return { db: database.db, app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/chat/completions` };
}

const chat = (url: string, secret: string) =>
  fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock-mini', messages: [{ role: 'user', content: 'where am I served?' }] }),
  });

/** Every key under `prefix` in one Redis and everything it holds, as text: a tenant's id anywhere in it is found. */
async function redisContents(url: string, prefix: string): Promise<string> {
  const redis = new Redis(url);
  try {
    const parts: string[] = [];
    for (const key of await redis.keys(`${prefix}*`)) {
      parts.push(key);
      const type = await redis.type(key);
      if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      else if (type === 'string') parts.push((await redis.get(key)) ?? '');
      else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
      else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
    }
    return parts.join('\n');
  } finally {
    await redis.quit();
  }
}

/** What the data plane writes in Postgres for a tenant: its keys' last use and its policy decisions. */
async function postgresTraces(db: Database, tenantId: string) {
  // In the tenant's scope: row-level security shows the platform role neither table's rows.
  return db.withTenant(tenantId, async (tx) => ({
    keysUsed: await tx.apiKey.count({ where: { tenantId, lastUsedAt: { not: null } } }),
    decisions: await tx.policyDecisionLog.count({ where: { tenantId } }),
  }));
}

describe('two regions with their own Postgres and Redis', () => {
  it("serve a tenant pinned to region A only in A; region B refuses it with 503 region_not_allowed and keeps nothing of it", async () => {
    redisB = await ThrowawayRedis.start();
    const a = await startRegion('region-a', REDIS_URL, prefixA);
    const b = await startRegion('region-b', redisB.url, '');

    for (let i = 0; i < 3; i += 1) {
      const served = await chat(a.url, PINNED.key.secret);
      expect(served.status).toBe(200);
      await served.arrayBuffer();
      const refused = await chat(b.url, PINNED.key.secret);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).not.toBeNull();
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('region_not_allowed');
    }
    const failedOver = await chat(b.url, ROAMING.key.secret);
    expect(failedOver.status).toBe(200);
    await failedOver.arrayBuffer();

    // Closing flushes usage, audit, request log and last-use records.
    for (const app of apps.splice(0)) await app.close();

    const inA = await redisContents(REDIS_URL, prefixA);
    const inB = await redisContents(redisB.url, '');
    expect(inA).toContain(PINNED.id); // its usage, audit and request log, at home
    expect(inB).not.toContain(PINNED.id);
    expect(inB).toContain(ROAMING.id); // the check sees a tenant's data when there is some
    expect(await postgresTraces(a.db, PINNED.id)).toMatchObject({ keysUsed: 1 });
    expect(await postgresTraces(b.db, PINNED.id)).toEqual({ keysUsed: 0, decisions: 0 });
    expect(await postgresTraces(b.db, ROAMING.id)).toMatchObject({ keysUsed: 1 });
  });
});
