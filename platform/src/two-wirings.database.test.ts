import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { clusterForTests, clusterTestsSkipReason } from '@switchyard/redis-connection/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { USAGE_STREAM, usageEventSchema } from '@switchyard/events/usage';
import { composeDataPlane, databaseStores, openSharedState, type ComposedDataPlane, type SharedState } from '@switchyard/data-plane/composition';
import { loadDataPlaneConfig } from '@switchyard/data-plane/config';
import { generateApiKeySecret } from '@switchyard/identity';
import { createLocalKms, generateMasterKey } from '@switchyard/identity/envelope';
import { parsePlatformEnv, platformDataPlaneConfig } from './config';
import { listen } from './listen';

/**
 * A standalone data plane (`npm start -w @switchyard/data-plane`) beside `npm start`'s, both on one
 * REDIS_URL with their own default prefix, as the README's deployment shows: one rate limit per
 * key across both, and usage in one stream the platform's consumers read.
 */
const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `sy-test-wirings-${randomUUID()}:`;

const databases: TestDatabase[] = [];
const apps: ComposedDataPlane[] = [];
const states: SharedState[] = [];

afterAll(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const state of states.splice(0)) await state.close();
  for (const database of databases.splice(0)) await database.drop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

onePair('one Redis', () => REDIS_URL);

// The same pair on a real 3-master Redis Cluster (REDIS_URL=redis+cluster://…): configuration, composition root, limits and usage stream.
describe.skipIf(clusterTestsSkipReason())('on a Redis Cluster', () => {
  const cluster = clusterForTests();
  beforeAll(cluster.start);
  afterAll(cluster.stop);
  onePair('a Redis Cluster', () => cluster.url);
});

function onePair(name: string, redisUrl: () => string): void {
  describe(`a standalone data plane and npm start’s data plane on ${name}`, () => {
    it('let exactly 20 requests of a 20-per-minute key through the pair, and write all 20 usage events to the stream the platform reads', async () => {
      const env = { REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: prefix, DATA_PLANE_REQUESTS_PER_MINUTE: '20' };
      const database = await createTestDatabase();
      databases.push(database);
      const { db } = database;
      const { demoTenantId } = await seed(db);
      const key = generateApiKeySecret();
      await db.withTenant(demoTenantId, (tx) => tx.apiKey.create({ data: { tenantId: demoTenantId, name: 'wirings', prefix: key.prefix, hash: key.hash, scopes: ['inference'] } }));
      const kms = createLocalKms({ masterKeys: { main: generateMasterKey() }, activeKeyId: 'main' });

      const standaloneConfig = loadDataPlaneConfig(env);
      const platformConfig = platformDataPlaneConfig(parsePlatformEnv(env));
      const urls: string[] = [];
      for (const config of [standaloneConfig, platformConfig]) {
        const state = openSharedState(config);
        states.push(state);
        const app = await composeDataPlane(config, { stores: databaseStores(db, { kms }), bus: state.bus, rateLimiter: state.rateLimiter, feedbackLog: state.feedbackLog });
        apps.push(app);
        urls.push(`http://127.0.0.1:${await listen(app.server, 0, '127.0.0.1')}/v1/chat/completions`);
      }

      const served = new Map<string, number>();
      for (let i = 0; i < 40; i += 1) {
        const url = urls[i % 2] as string;
        const response = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'mock-mini', messages: [{ role: 'user', content: 'hi' }] }),
        });
        await response.arrayBuffer();
        served.set(`${url} ${response.status}`, (served.get(`${url} ${response.status}`) ?? 0) + 1);
      }
      const [standaloneUrl, platformUrl] = urls;
      expect((served.get(`${standaloneUrl} 200`) ?? 0) + (served.get(`${platformUrl} 200`) ?? 0)).toBe(20);
      expect((served.get(`${standaloneUrl} 429`) ?? 0) + (served.get(`${platformUrl} 429`) ?? 0)).toBe(20);
      // Both replicas served part of the 20: the limit is one key, not one per replica.
      expect(served.get(`${standaloneUrl} 200`)).toBeGreaterThan(0);
      expect(served.get(`${platformUrl} 200`)).toBeGreaterThan(0);

      // Closing drains each replica's usage recording; the platform's consumers read the stream through the platform's bus.
      for (const app of apps.splice(0)) await app.close();
      const platformBus = states[1]?.bus;
      if (!platformBus) throw new Error('no platform bus');
      const group = `wirings-${randomUUID()}`;
      await platformBus.ensureGroup(USAGE_STREAM, group);
      const entries = await platformBus.readGroup(USAGE_STREAM, group, 'reader', { count: 1000, blockMs: 0 });
      const events = entries.map((entry) => usageEventSchema.parse(JSON.parse(entry.payload)));
      expect(events).toHaveLength(20);
      expect(new Set(events.map((event) => event.tenantId))).toEqual(new Set([demoTenantId]));
      for (const state of states.splice(0)) await state.close();
    });
  });
}
