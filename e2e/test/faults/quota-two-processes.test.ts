import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed, type Database } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { generateApiKeySecret } from '@switchyard/identity';
import { generateMasterKey } from '@switchyard/identity/envelope';
import { USAGE_STREAM, usageEventSchema } from '@switchyard/events/usage';
import { createRedisBus } from '@switchyard/bus';
import { startChild, type ChildUnderTest } from '../../testkit/faults/child-process';
import { REDIS_URL } from '../../testkit/faults/catalogue-stack';

/**
 * Fault catalogue, last row: two real data-plane processes (`data-plane/src/index.ts` under tsx,
 * as `npm start -w @switchyard/data-plane` runs it) on one Redis and one Postgres, concurrent load
 * through the official client at both, and the admitted count must equal the quota exactly.
 *
 * Limits are chosen so refill during the load cannot blur the count: 6 requests/minute per key
 * refills one request every 10 s; 1,000 tokens/day per tenant refills 100 tokens every 8,640 s.
 */
const REQUESTS_PER_MINUTE = 6;
const TOKENS_PER_DAY_PER_TENANT = 1_000;
/**
 * Each request reserves 100 tokens: "hi [mock: first-token-ms=3000]" is estimated at 3 + 4 + 8 = 15
 * prompt tokens, plus max_tokens 85. The mock waits 3 s before answering, so the admitted requests
 * hold their reservations while the others are decided (a finished request settles to what it
 * used and gives the rest back, which would let later ones in).
 */
const TOKENS_PER_REQUEST = { maxTokens: 85, cost: 100, prompt: 'hi [mock: first-token-ms=3000]' };

let testDatabase: TestDatabase;
let db: Database;
const prefix = `sy-test-quota-${randomUUID()}:`;
const replicas: ChildUnderTest[] = [];
let urls: string[] = [];
let metricsUrls: string[] = [];

async function newTenant(): Promise<string> {
  const slug = `quota-${randomUUID().slice(0, 8)}`;
  return (await db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }))).id;
}

async function newKey(tenantId: string): Promise<{ secret: string; id: string }> {
  const key = generateApiKeySecret();
  const created = await db.withTenant(tenantId, (tx) => tx.apiKey.create({ data: { tenantId, name: `quota-${randomUUID().slice(0, 8)}`, prefix: key.prefix, hash: key.hash, scopes: ['inference'] }, select: { id: true } }));
  return { secret: key.secret, id: created.id };
}

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  db = testDatabase.db;
  await seed(db);
  const env = {
    DATABASE_URL: testDatabase.url,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    // One keyring for both replicas, as an operator deploys them (unset, each would use the repo's data dir).
    SWITCHYARD_MASTER_KEYS: `quota:${generateMasterKey()}`,
    DATA_PLANE_PORT: '0',
    // Each replica's operator metrics listener on a port of its own.
    METRICS_PORT: '0',
    DATA_PLANE_REQUESTS_PER_MINUTE: String(REQUESTS_PER_MINUTE),
    DATA_PLANE_TOKENS_PER_DAY_PER_TENANT: String(TOKENS_PER_DAY_PER_TENANT),
  };
  const started = await Promise.all(['a', 'b'].map((name) => startChild('data-plane/src/index.ts', env, /data plane: (http:\/\/\S+)\/v1/, `data-plane-${name}`)));
  replicas.push(...started);
  urls = started.map((replica) => replica.readyValue);
  // index.ts prints `data plane: <url>/v1 (operator metrics <metrics url>)` on the same line.
  metricsUrls = started.map((replica) => {
    const metricsUrl = /operator metrics (http:\/\/\S+\/metrics)/.exec(replica.stdout())?.[1];
    if (!metricsUrl) throw new Error(`no operator metrics URL in:\n${replica.stdout()}`);
    return metricsUrl;
  });
  // Warm up: tsx compiles the request path on first use and the event-loop lag that causes is shed
  // as overload for a window; the quota runs below should measure limits, not start-up.
  const warmUp = await newKey(await newTenant());
  for (const url of urls) {
    const client = new OpenAI({ apiKey: warmUp.secret, baseURL: `${url}/v1`, maxRetries: 5 });
    await client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 });
  }
  await new Promise((resolve) => setTimeout(resolve, 1_100));
}, 180_000);

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await testDatabase?.drop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

/** Fires `total` concurrent requests, alternating between the two replicas; returns status → count and error codes. */
async function load(secrets: string[], total: number, maxTokens: number, prompt = 'hi') {
  const clients = urls.flatMap((url) => secrets.map((secret) => new OpenAI({ apiKey: secret, baseURL: `${url}/v1`, maxRetries: 0, timeout: 60_000 })));
  const outcomes = await Promise.all(
    Array.from({ length: total }, async (_, i) => {
      const client = clients[i % clients.length]!;
      const replica = Math.floor((i % clients.length) / secrets.length);
      for (let attempt = 0; ; attempt += 1) {
        try {
          await client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: prompt }], max_tokens: maxTokens });
          return { status: 200, code: 'ok', replica };
        } catch (error) {
          if (!(error instanceof OpenAI.APIError)) throw error;
          // Load shedding (a tsx process compiling on its first requests lags its event loop) is
          // decided before any limit is charged: the client retries it as told, it is not a quota answer.
          if (error.code === 'overloaded' && attempt < 20) {
            await new Promise((resolve) => setTimeout(resolve, Number(error.headers?.get('retry-after') ?? 1) * 1000));
            continue;
          }
          return { status: error.status ?? 0, code: String(error.code), replica };
        }
      }
    }),
  );
  const count = (predicate: (o: (typeof outcomes)[number]) => boolean) => outcomes.filter(predicate).length;
  return { outcomes, count };
}

/** Usage events in the shared stream for `tenantId` (one per served request). */
async function usageEventsOf(tenantId: string): Promise<number> {
  const bus = createRedisBus(REDIS_URL, { keyPrefix: prefix });
  const group = `count-${randomUUID()}`;
  try {
    await bus.ensureGroup(USAGE_STREAM, group);
    const entries = await bus.readGroup(USAGE_STREAM, group, 'counter', { count: 100_000, blockMs: 0 });
    return entries.map((entry) => usageEventSchema.parse(JSON.parse(entry.payload))).filter((event) => event.tenantId === tenantId).length;
  } finally {
    await bus.close();
  }
}

/** Exactness holds only while the limiter is on Redis: no replica may have fallen back to local decisions. */
async function expectNoDegradedDecisions(): Promise<void> {
  for (const metricsUrl of metricsUrls) {
    const text = await (await fetch(metricsUrl)).text();
    expect(text).toMatch(/^switchyard_rate_limiter_backend_down 0$/m);
    expect(text).not.toMatch(/^switchyard_rate_limiter_degraded_decisions_total\{/m);
  }
}

async function eventuallyEqual(read: () => Promise<number>, expected: number): Promise<void> {
  let value = await read();
  for (let i = 0; i < 100 && value !== expected; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  expect(value).toBe(expected);
}

describe('fault catalogue: two data-plane processes on one Redis', () => {
  it(`request limit: 90 concurrent requests on one key across both replicas admit exactly ${REQUESTS_PER_MINUTE}`, async () => {
    const tenantId = await newTenant();
    const key = await newKey(tenantId);
    const startedAt = Date.now();
    const { count } = await load([key.secret], 90, 1);
    // Refill adds one request per 10 s; a load that slow could not tell "exact" from "one extra".
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(count((o) => o.status === 200)).toBe(REQUESTS_PER_MINUTE);
    expect(count((o) => o.status === 429 && o.code === 'rate_limit_exceeded')).toBe(90 - REQUESTS_PER_MINUTE);
    // Both replicas took limit decisions: the count is shared, not per process.
    for (const replica of [0, 1]) expect(count((o) => o.replica === replica && (o.status === 200 || o.status === 429))).toBeGreaterThan(0);
    await expectNoDegradedDecisions();
    await eventuallyEqual(() => usageEventsOf(tenantId), REQUESTS_PER_MINUTE);
  });

  it(`token quota: 100 concurrent requests of ${TOKENS_PER_REQUEST.cost} tokens from 20 keys of one tenant across both replicas admit exactly ${TOKENS_PER_DAY_PER_TENANT / TOKENS_PER_REQUEST.cost}`, async () => {
    const tenantId = await newTenant();
    // Twenty keys of five requests each: no key reaches its 6 requests/minute, only the tenant's token quota binds.
    const keys = await Promise.all(Array.from({ length: 20 }, () => newKey(tenantId)));
    const { count } = await load(
      keys.map((k) => k.secret),
      100,
      TOKENS_PER_REQUEST.maxTokens,
      TOKENS_PER_REQUEST.prompt,
    );
    const admitted = TOKENS_PER_DAY_PER_TENANT / TOKENS_PER_REQUEST.cost;
    expect(count((o) => o.status === 200)).toBe(admitted);
    expect(count((o) => o.status === 429 && o.code === 'token_quota_exceeded')).toBe(100 - admitted);
    await expectNoDegradedDecisions();
    await eventuallyEqual(() => usageEventsOf(tenantId), admitted);
  });
});
