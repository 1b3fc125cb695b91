import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seed, type Database } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { USAGE_STREAM, usageEventSchema, type UsageEvent } from '@switchyard/events/usage';
import { composeDataPlane, databaseStores, openSharedState, type ComposedDataPlane, type SharedState } from '@switchyard/data-plane/composition';
import { loadDataPlaneConfig } from '@switchyard/data-plane/config';
import { generateApiKeySecret } from '@switchyard/identity';
import { createLocalKms, generateMasterKey } from '@switchyard/identity/envelope';
import { startUsageConsumer } from '@switchyard/subgraph-cost';
import { listen } from './listen';

/**
 * Billing and quotas across two replicas: two composed data planes on one Redis and one Postgres,
 * with the cost consumer writing what they record. The id that deduplicates billing is the data
 * plane's own, so a client reusing its x-request-id (or another tenant sending the same one) is
 * billed for every request; token quotas reserve an estimate and settle to what was used, so the
 * allowance consumed equals the tokens used, with no overshoot while requests are in flight.
 */
const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `sy-test-billing-${randomUUID()}:`;
const TOKENS_PER_DAY_PER_TENANT = 1_000;
const DAY_MS = 86_400_000;
const env = { REDIS_URL, REDIS_KEY_PREFIX: prefix, DATA_PLANE_REQUESTS_PER_MINUTE: '600', DATA_PLANE_TOKENS_PER_DAY_PER_TENANT: String(TOKENS_PER_DAY_PER_TENANT) };
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

let database: TestDatabase;
let db: Database;
const apps: ComposedDataPlane[] = [];
const states: SharedState[] = [];
let urls: string[] = [];

async function newTenantKey(): Promise<{ tenantId: string; secret: string }> {
  const slug = `billing-${randomUUID().slice(0, 8)}`;
  const tenantId = (await db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }))).id;
  const key = generateApiKeySecret();
  await db.withTenant(tenantId, (tx) => tx.apiKey.create({ data: { tenantId, name: slug, prefix: key.prefix, hash: key.hash, scopes: ['inference'] } }));
  return { tenantId, secret: key.secret };
}

function chat(url: string, secret: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'mock-gpt', ...body }),
  });
}

async function usageEventsOf(tenantId: string): Promise<UsageEvent[]> {
  const bus = states[0]?.bus;
  if (!bus) throw new Error('no bus');
  const group = `billing-${randomUUID()}`;
  await bus.ensureGroup(USAGE_STREAM, group);
  const entries = await bus.readGroup(USAGE_STREAM, group, 'reader', { count: 10_000, blockMs: 0 });
  return entries.map((entry) => usageEventSchema.parse(JSON.parse(entry.payload))).filter((event) => event.tenantId === tenantId);
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await seed(db);
  const kms = createLocalKms({ masterKeys: { main: generateMasterKey() }, activeKeyId: 'main' });
  const config = loadDataPlaneConfig(env);
  for (let i = 0; i < 2; i += 1) {
    const state = openSharedState(config);
    states.push(state);
    const app = await composeDataPlane(config, { stores: databaseStores(db, { kms }), bus: state.bus, rateLimiter: state.rateLimiter, feedbackLog: state.feedbackLog });
    apps.push(app);
    urls.push(`http://127.0.0.1:${await listen(app.server, 0, '127.0.0.1')}`);
  }
}, 120_000);

afterAll(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const state of states.splice(0)) await state.close();
  await database?.drop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  urls = [];
});

describe('billing across two replicas', () => {
  it('five requests with one x-request-id are five usage events and five costs; another tenant sending the same id is billed too', async () => {
    const mine = await newTenantKey();
    const theirs = await newTenantKey();
    for (let i = 0; i < 5; i += 1) {
      const response = await chat(urls[i % 2] as string, mine.secret, { messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 }, { 'x-request-id': 'reused-id' });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    const other = await chat(urls[1] as string, theirs.secret, { messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 }, { 'x-request-id': 'reused-id' });
    expect(other.status).toBe(200);
    await other.arrayBuffer();

    await vi.waitFor(async () => expect(await usageEventsOf(mine.tenantId)).toHaveLength(5), { timeout: 10_000 });
    const events = await usageEventsOf(mine.tenantId);
    expect(new Set(events.map((event) => event.requestId)).size).toBe(5);
    expect(events.every((event) => event.clientRequestId === 'reused-id')).toBe(true);

    // The cost consumer (on Postgres) keeps all of them: five costs for one tenant, one for the other.
    const bus = states[0]?.bus;
    if (!bus) throw new Error('no bus');
    const consumer = startUsageConsumer({ db, bus, consumerName: `billing-${randomUUID()}`, blockMs: 20, logger: silent });
    try {
      const stored = (tenantId: string) => db.withTenant(tenantId, (tx) => tx.usageEvent.count({ where: { tenantId } }));
      await vi.waitFor(async () => expect(await stored(mine.tenantId)).toBe(5), { timeout: 20_000 });
      await vi.waitFor(async () => expect(await stored(theirs.tenantId)).toBe(1), { timeout: 20_000 });
    } finally {
      await consumer.stop();
    }
  });

  it('token quota: in-flight reservations never overshoot, and after the requests complete the allowance consumed equals the tokens used', async () => {
    const { tenantId, secret } = await newTenantKey();
    // "hi [mock: first-token-ms=3000]" is estimated at 3 + 4 + 8 = 15 prompt tokens; with max_tokens 85 each request reserves 100.
    const slow = { messages: [{ role: 'user', content: 'hi [mock: first-token-ms=3000]' }], max_tokens: 85 };
    const statuses = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const response = await chat(urls[i % 2] as string, secret, slow);
        const body = (await response.json()) as { error?: { code: string } };
        return response.status === 200 ? 'ok' : (body.error?.code ?? String(response.status));
      }),
    );
    // While the admitted ones ran, their reservations held the tenant's 1,000 tokens: exactly 10, on both replicas together.
    expect(statuses.filter((s) => s === 'ok')).toHaveLength(TOKENS_PER_DAY_PER_TENANT / 100);
    expect(statuses.filter((s) => s === 'token_quota_exceeded')).toHaveLength(30 - TOKENS_PER_DAY_PER_TENANT / 100);

    // Settled: what stays charged is what was used, read back from the shared limiter.
    // The same limiter, key names and prefix the replicas use (openSharedState), read from outside them.
    const reader = openSharedState({ redisUrl: REDIS_URL, redisKeyPrefix: prefix });
    const limiter = reader.rateLimiter;
    try {
      // The key of the tenant's day limit (data plane's `limitKeys`: the tenant is its hash tag).
      const remaining = async () => (await limiter.consume(`tpd-tenant:{${tenantId}}`, { limit: TOKENS_PER_DAY_PER_TENANT, periodMs: DAY_MS }, 0)).remaining;
      await vi.waitFor(async () => expect(await usageEventsOf(tenantId)).toHaveLength(10), { timeout: 10_000 });
      const used = (await usageEventsOf(tenantId)).reduce((sum, event) => sum + event.promptTokens + event.completionTokens, 0);
      // Overshoot 0: never more used than the allowance.
      expect(used).toBeLessThanOrEqual(TOKENS_PER_DAY_PER_TENANT);
      await vi.waitFor(async () => expect(await remaining()).toBe(TOKENS_PER_DAY_PER_TENANT - used), { timeout: 5_000 });

      // Requests now pass again, sequentially, across both replicas; each settles to its own use.
      for (let i = 0; i < 4; i += 1) {
        const response = await chat(urls[i % 2] as string, secret, { messages: [{ role: 'user', content: 'hi' }], max_tokens: 85 });
        expect(response.status).toBe(200);
        await response.arrayBuffer();
      }
      await vi.waitFor(async () => expect(await usageEventsOf(tenantId)).toHaveLength(14), { timeout: 10_000 });
      const usedAll = (await usageEventsOf(tenantId)).reduce((sum, event) => sum + event.promptTokens + event.completionTokens, 0);
      await vi.waitFor(async () => expect(await remaining()).toBe(TOKENS_PER_DAY_PER_TENANT - usedAll), { timeout: 5_000 });
    } finally {
      await reader.close();
    }
  });
});
