import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { pino } from 'pino';
import { seed } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { composeDataPlane, databaseStores, openSharedState, type ComposedDataPlane, type SharedState } from '@switchyard/data-plane/composition';
import { loadDataPlaneConfig } from '@switchyard/data-plane/config';
import { createInternalTokenSigner, createInternalTokenVerifier, generateApiKeySecret, generateInternalKeyPair } from '@switchyard/identity';
import { createLocalKms, generateMasterKey } from '@switchyard/identity/envelope';
import { startCostSubgraph, startUsageConsumer, type UsageConsumer } from '@switchyard/subgraph-cost';
import type { StartedSubgraph } from '@switchyard/subgraph-kit/runtime';
import { PLATFORM_ADMIN, createGraphQLRequest, listenOnLoopback } from '@switchyard/subgraph-kit/testing';
import { listen } from './listen';

/**
 * Postgres terminates every backend of this test's database every 100 ms for 3 s while requests
 * flow through a composed data plane, the cost usage consumer and the cost subgraph, all in this
 * process: the process lives (vitest fails the run on an unhandled 'error' event), each answer is
 * 200 or a retryable 503 `database_unavailable` (data plane) / `SERVICE_UNAVAILABLE` (GraphQL),
 * every 200 is counted once in `usage_event`, and everything serves again afterwards.
 */
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

let database: TestDatabase | undefined;
let state: SharedState | undefined;
let app: ComposedDataPlane | undefined;
let consumer: UsageConsumer | undefined;
let subgraph: StartedSubgraph | undefined;
let admin: pg.Client | undefined;

afterAll(async () => {
  await app?.close();
  await consumer?.stop();
  await subgraph?.close();
  await state?.close();
  await admin?.end();
  await database?.drop();
});

describe('Postgres dropping every connection, repeatedly', () => {
  it('keeps the data plane, the cost consumer and a subgraph alive and every accepted request accounted', async () => {
    database = await createTestDatabase();
    const { db, url } = database;
    const { demoTenantId } = await seed(db);
    // Fresh keys: each one's first use misses the data plane's key cache and needs the database.
    const keys = Array.from({ length: 120 }, () => generateApiKeySecret());
    await db.withTenant(demoTenantId, (tx) =>
      tx.apiKey.createMany({ data: keys.map((key, i) => ({ tenantId: demoTenantId, name: `outage-${i}`, prefix: key.prefix, hash: key.hash, scopes: ['inference'] })) }),
    );
    const kms = createLocalKms({ masterKeys: { main: generateMasterKey() }, activeKeyId: 'main' });

    const config = loadDataPlaneConfig({ DATA_PLANE_REQUESTS_PER_MINUTE: '100000' });
    state = openSharedState(config);
    const bus = state.bus;
    app = await composeDataPlane(config, { stores: databaseStores(db, { kms }), bus, rateLimiter: state.rateLimiter, feedbackLog: state.feedbackLog, logger: pino({ level: 'silent' }) });
    const chatUrl = `http://127.0.0.1:${await listen(app.server, 0, '127.0.0.1')}/v1/chat/completions`;
    consumer = startUsageConsumer({ db, bus, logger: silent, blockMs: 50, retryDelayMs: 50, claimIdleMs: 300 });
    const internalKeys = await generateInternalKeyPair();
    subgraph = await startCostSubgraph({ db, bus, logger: silent, verifyInternalToken: createInternalTokenVerifier(internalKeys.publicKey, 'subgraph:cost') }, { usageConsumer: false });
    const graphql = createGraphQLRequest(await listenOnLoopback(subgraph.server), createInternalTokenSigner(internalKeys.privateKey), 'subgraph:cost');
    const costQuery = `query($t: ID!) { costSummary(tenantId: $t) { tenantId } }`;

    const chat = async (secret: string) => {
      const response = await fetch(chatUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mock-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      const body = (await response.json()) as { error?: { code?: string } };
      return { status: response.status, code: body.error?.code, retryAfter: response.headers.get('retry-after') };
    };

    admin = new pg.Client({ connectionString: new URL('/postgres', url).toString() });
    await admin.connect();
    const name = new URL(url).pathname.slice(1);
    let terminating = true;
    let terminated = 0;
    const terminator = (async () => {
      for (const until = Date.now() + 3_000; Date.now() < until; ) {
        const result = await admin?.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
        terminated += result?.rowCount ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      terminating = false;
    })();

    const answers: Array<{ status: number; code: string | undefined; retryAfter: string | null }> = [];
    const graphqlCodes: string[] = [];
    let next = 0;
    const chatWorker = async () => {
      while (terminating && next < keys.length) {
        const key = keys[next++];
        if (key) answers.push(await chat(key.secret));
      }
    };
    const graphqlWorker = async () => {
      while (terminating) {
        const reply = await graphql(PLATFORM_ADMIN, costQuery, { t: demoTenantId });
        graphqlCodes.push(reply.body.errors?.[0]?.extensions?.code ?? 'ok');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await Promise.all([terminator, chatWorker(), chatWorker(), chatWorker(), chatWorker(), graphqlWorker()]);
    expect(terminated).toBeGreaterThan(10);

    // Every answer is a 200 or the retryable database error; never a 500.
    const kinds = new Set(answers.map((answer) => `${answer.status} ${answer.code ?? ''}`.trim()));
    expect([...kinds].filter((kind) => kind !== '200' && kind !== '503 database_unavailable')).toEqual([]);
    for (const answer of answers.filter((a) => a.status === 503)) expect(answer.retryAfter).toBe('1');
    expect(new Set(graphqlCodes.filter((code) => code !== 'ok' && code !== 'SERVICE_UNAVAILABLE'))).toEqual(new Set());
    const served = answers.filter((answer) => answer.status === 200).length;
    expect(served).toBeGreaterThan(0);

    // Service is back: the keys refused during the storm work now, GraphQL answers data.
    for (const key of keys.slice(0, 10)) expect((await chat(key.secret)).status).toBe(200);
    const reply = await graphql(PLATFORM_ADMIN, costQuery, { t: demoTenantId });
    expect(reply.body.errors).toBeUndefined();

    // Every 200 (during the storm and the 10 after) is counted exactly once by the cost consumer.
    const counted = async () => db.withTenant(demoTenantId, (tx) => tx.usageEvent.count());
    for (const giveUpAt = Date.now() + 20_000; (await counted()) < served + 10 && Date.now() < giveUpAt; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await counted()).toBe(served + 10);
  }, 60_000);
});
