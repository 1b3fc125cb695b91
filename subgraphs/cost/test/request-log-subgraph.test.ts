import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair, type InternalTokenSigner, type Principal, type Role } from '@switchyard/identity';
import { createCostSubgraph, type CostSubgraph } from '../src/cost-subgraph';
import { encodeCursor } from '../src/request-log/request-log-cursor';
import { createRequestLogStore } from '../src/request-log/request-log-store';
import { createRecordingLogger } from './recording-logger';
import { requestLogEvent } from './request-log-events';

/** The request-log API of the cost subgraph over PGlite: search, paging, hostile cursors, roles, tenants, aggregates. */
const AUDIENCE = 'subgraph:cost';
const NOW = new Date('2026-03-01T12:30:45.000Z');

interface Reply {
  // The shape is the query's; the assertions check it field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

let testDatabase: MemoryTestDatabase;
let db: Database;
let bus: Bus;
let signer: InternalTokenSigner;
let subgraph: CostSubgraph;
let url: string;
let tenantA: string;
let tenantB: string;
const keyA = randomUUID();

const principal = (roles: Role[], tenantId: string | null): Principal => ({ subject: `user-${roles.join('-')}`, email: null, tenantId, roles, service: 'gateway' });

async function request(caller: Principal, query: string, variables: Record<string, unknown> = {}): Promise<Reply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await signer.sign(caller, AUDIENCE)}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Reply;
}
const codes = (reply: Reply) => (reply.errors ?? []).map((error) => error.extensions?.code);

const SEARCH = `query($tenantId: ID!, $filter: RequestLogFilter, $first: Int, $after: String) {
  requestLog(tenantId: $tenantId, filter: $filter, first: $first, after: $after) {
    entries { requestId status refused errorCode route costUsd apiKey { id } decision { name candidate legs { upstream outcome } } policyDecisions { action decision policies } }
    endCursor hasNextPage
  }
}`;

beforeAll(async () => {
  testDatabase = await createMemoryTestDatabase();
  db = testDatabase.db;
  bus = createInProcessBus();
  const keys = await generateInternalKeyPair();
  signer = createInternalTokenSigner(keys.privateKey);
  subgraph = createCostSubgraph({ db, bus, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, AUDIENCE), logger: createRecordingLogger().logger, now: () => NOW });
  await new Promise<void>((resolve) => subgraph.server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(subgraph.server.address() as AddressInfo).port}/graphql`;
  const create = (slug: string) => db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }));
  tenantA = (await create('log-a')).id;
  tenantB = (await create('log-b')).id;
  const store = createRequestLogStore(db);
  await store.ensurePartitions(new Date('2026-03-01T00:00:00Z'), 1);
  const at = (seconds: number) => new Date(Date.parse('2026-03-01T12:00:00Z') + seconds * 1000).toISOString();
  await store.write(tenantA, [
    ...Array.from({ length: 5 }, (_, i) =>
      requestLogEvent(tenantA, {
        startedAt: at(i),
        apiKeyId: keyA,
        costMicros: '2000000',
        latencyMs: 100 + i,
        decision: { name: 'smart', configured: true, strategy: 'priority', candidate: 'mock/mock-gpt', legs: [{ upstream: 'mock/mock-gpt', model: 'mock-gpt', outcome: 'won', promptTokens: 3, completionTokens: 4 }] },
        policyDecisions: [{ action: 'use_model', decision: 'allow', policies: ['allow-all'], policyVersion: 2 }],
        route: 'smart',
      }),
    ),
    requestLogEvent(tenantA, { startedAt: at(10), status: 429, refused: true, errorCode: 'rate_limit_exceeded', apiKeyId: keyA, costMicros: '0', route: 'smart' }),
  ]);
  await store.write(tenantB, [requestLogEvent(tenantB, { startedAt: at(3) })]);
});

afterAll(async () => {
  await subgraph?.close();
  await bus?.close();
  await testDatabase?.drop();
});

describe('request log over GraphQL', () => {
  const admin = () => principal(['tenant_admin'], tenantA);
  const filter = { from: '2026-03-01T00:00:00Z', to: '2026-03-01T13:00:00Z' };

  it('lists newest first and pages with a stable cursor to the end', async () => {
    const first = await request(admin(), SEARCH, { tenantId: tenantA, filter, first: 4 });
    expect(first.errors).toBeUndefined();
    const page1 = first.data!.requestLog;
    expect(page1.entries.map((e: { status: number }) => e.status)).toEqual([429, 200, 200, 200]);
    expect(page1.entries[0]).toMatchObject({ refused: true, errorCode: 'rate_limit_exceeded', apiKey: { id: keyA } });
    expect(page1.entries[1]).toMatchObject({ costUsd: 2, decision: { name: 'smart', candidate: 'mock/mock-gpt' }, policyDecisions: [{ action: 'use_model', decision: 'allow', policies: ['allow-all'] }] });
    expect(page1.hasNextPage).toBe(true);
    const second = await request(admin(), SEARCH, { tenantId: tenantA, filter, first: 4, after: page1.endCursor });
    expect(second.data!.requestLog.entries).toHaveLength(2);
    expect(second.data!.requestLog.hasNextPage).toBe(false);
    const seen = [...page1.entries, ...second.data!.requestLog.entries].map((e: { requestId: string }) => e.requestId);
    expect(new Set(seen).size).toBe(6);
  });

  it('filters by outcome and finds one entry by id, never another tenant’s', async () => {
    const refused = await request(admin(), SEARCH, { tenantId: tenantA, filter: { ...filter, outcome: 'REFUSED' } });
    expect(refused.data!.requestLog.entries).toHaveLength(1);
    const [entryOfB] = await createRequestLogStore(db).list(tenantB, { from: new Date(filter.from), to: new Date(filter.to), limit: 1 });
    const detail = await request(admin(), `query($t: ID!, $r: ID!) { requestLogEntry(tenantId: $t, requestId: $r) { requestId } }`, { t: tenantA, r: entryOfB!.requestId });
    expect(detail.data!.requestLogEntry).toBeNull();
    const asOther = await request(admin(), SEARCH, { tenantId: tenantB, filter });
    expect(codes(asOther)).toEqual(['FORBIDDEN']);
  });

  it('latestRequests (what requestLogUpdated pushes) is the newest page, guarded as the log', async () => {
    const LATEST = `query($tenantId: ID!, $filter: RequestLogFilter, $first: Int) { latestRequests(tenantId: $tenantId, filter: $filter, first: $first) { entries { requestId status } hasNextPage } }`;
    const latest = await request(admin(), LATEST, { tenantId: tenantA, filter, first: 2 });
    expect(latest.errors).toBeUndefined();
    const newest = await request(admin(), SEARCH, { tenantId: tenantA, filter, first: 2 });
    expect(latest.data!.latestRequests).toEqual({ entries: newest.data!.requestLog.entries.map(({ requestId, status }: { requestId: string; status: number }) => ({ requestId, status })), hasNextPage: true });
    expect(codes(await request(admin(), LATEST, { tenantId: tenantB, filter }))).toEqual(['FORBIDDEN']);
    expect(codes(await request(principal(['viewer'], tenantA), LATEST, { tenantId: tenantA, filter }))).toEqual(['FORBIDDEN']);
  });

  it('refuses a viewer the log but not the aggregates', async () => {
    const viewer = principal(['viewer'], tenantA);
    expect(codes(await request(viewer, SEARCH, { tenantId: tenantA, filter }))).toEqual(['FORBIDDEN']);
    const perf = await request(viewer, `query($t: ID!) { requestPerformance(tenantId: $t, window: LAST_HOUR, by: ROUTE) { groups { key requests refused errorRate p50Ms series { requests } } } }`, { t: tenantA });
    expect(perf.errors).toBeUndefined();
    expect(perf.data!.requestPerformance.groups[0]).toMatchObject({ key: 'smart', requests: 6, refused: 1, errorRate: 0, p50Ms: 102 });
    expect(perf.data!.requestPerformance.groups[0].series).toHaveLength(60);
    const spend = await request(viewer, `query($t: ID!) { spendBreakdown(tenantId: $t, window: LAST_HOUR, by: API_KEY) { groups { key apiKey { id } requests costUsd } } }`, { t: tenantA });
    expect(spend.data!.spendBreakdown.groups).toEqual([{ key: keyA, apiKey: { id: keyA }, requests: 6, costUsd: 10 }]);
  });

  it.each([
    ['made up', 'bm90LWEtY3Vyc29y'],
    ['tampered', encodeCursor({ startedAt: new Date(), requestId: 'x' }).slice(0, -3) + '!!!'],
    ['oversized', 'A'.repeat(2000)],
  ])('rejects a %s cursor with INVALID_CURSOR', async (_name, after) => {
    const reply = await request(admin(), SEARCH, { tenantId: tenantA, filter, after });
    expect(codes(reply)).toEqual(['INVALID_CURSOR']);
  });

  it('rejects malformed filters with the field at fault', async () => {
    const bad = async (f: object, first?: number) => (await request(admin(), SEARCH, { tenantId: tenantA, filter: { ...filter, ...f }, ...(first ? { first } : {}) })).errors?.[0]?.extensions;
    expect(await bad({ traceId: 'XYZ' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.traceId' });
    expect(await bad({ apiKeyId: 'not-a-uuid' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.apiKeyId' });
    expect(await bad({ from: '2025-01-01T00:00:00Z' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.from' });
    expect(await bad({}, 1000)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});
