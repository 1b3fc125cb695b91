import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessBus } from '@switchyard/bus';
import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { createMemoryTestDatabase } from '@switchyard/db/testing';
import type { MemoryTestDatabase } from '@switchyard/db/testing';
import { createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair } from '@switchyard/identity';
import type { InternalTokenSigner, Principal, Role } from '@switchyard/identity';
import { createCostStore } from '../src/cost-store';
import { createCostSubgraph } from '../src/cost-subgraph';
import type { CostSubgraph } from '../src/cost-subgraph';
import { createRecordingLogger } from './recording-logger';
import { usageEvent } from './usage-events';

const AUDIENCE = 'subgraph:cost';
const NOW = new Date('2026-03-01T12:30:45.000Z');
const EXPERIMENT = '00000000-0000-4000-8000-0000000000e1';

interface Reply {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string } }[] };
}

let testDatabase: MemoryTestDatabase;
let db: Database;
let bus: Bus;
let signer: InternalTokenSigner;
let subgraph: CostSubgraph;
let url: string;
let tenantA: string;
let tenantB: string;

const principal = (roles: Role[], tenantId: string | null): Principal => ({ subject: `user-${roles.join('-')}`, email: null, tenantId, roles, service: 'gateway' });
const platformAdmin = (): Principal => principal(['platform_admin'], null);
const viewerA = (): Principal => principal(['viewer'], tenantA);

async function request(caller: Principal | null, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Reply> {
  const bearer = token ?? (caller ? await signer.sign(caller, AUDIENCE) : null);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Reply['body'] };
}

const codes = (reply: Reply) => (reply.body.errors ?? []).map((error) => error.extensions?.code);

beforeAll(async () => {
  testDatabase = await createMemoryTestDatabase();
  db = testDatabase.db;
  bus = createInProcessBus();
  const keys = await generateInternalKeyPair();
  signer = createInternalTokenSigner(keys.privateKey);
  subgraph = createCostSubgraph({
    db,
    bus,
    verifyInternalToken: createInternalTokenVerifier(keys.publicKey, AUDIENCE),
    logger: createRecordingLogger().logger,
    now: () => NOW,
  });
  await new Promise<void>((resolve) => subgraph.server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(subgraph.server.address() as AddressInfo).port}/graphql`;

  const create = (slug: string) => db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }));
  tenantA = (await create('cost-a')).id;
  tenantB = (await create('cost-b')).id;
  const store = createCostStore(db);
  await store.recordUsage(tenantA, [
    usageEvent(tenantA, { model: 'mock-gpt', costMicros: '1500000', createdAt: '2026-03-01T12:30:10.000Z' }),
    usageEvent(tenantA, { model: 'mock-large', costMicros: '250000', createdAt: '2026-03-01T12:30:50.000Z' }),
    usageEvent(tenantA, { model: 'mock-gpt', costMicros: '500000', createdAt: '2026-03-01T12:20:00.000Z' }),
    usageEvent(tenantA, { model: 'mock-gpt', costMicros: '999', createdAt: '2026-03-01T10:00:00.000Z' }),
    // A shadow copy: billed apart, so none of the client totals below include it.
    usageEvent(tenantA, {
      model: 'mock-challenger',
      costMicros: '400000',
      createdAt: '2026-03-01T12:30:20.000Z',
      experiment: { experimentId: EXPERIMENT, arm: 'challenger', shadow: true },
    }),
  ]);
  await store.recordUsage(tenantB, [usageEvent(tenantB, { costMicros: '7000000', createdAt: '2026-03-01T12:30:00.000Z' })]);
});

afterAll(async () => {
  await subgraph?.close();
  await bus?.close();
  await testDatabase?.drop();
});

const summaryQuery = `query ($t: ID!, $w: CostWindow!) {
  costSummary(tenantId: $t, window: $w) {
    tenantId window totalCostUsd totalRequests promptTokens completionTokens
    series { bucketStart costUsd requests tokens }
    byModel { model costUsd requests promptTokens completionTokens }
  }
}`;

describe('authentication', () => {
  it('refuses a missing token, a foreign audience and the federation fields without a token', async () => {
    const missing = await request(null, summaryQuery, { t: tenantA, w: 'LAST_HOUR' });
    expect(missing.status).toBe(401);
    expect(codes(missing)).toEqual(['UNAUTHENTICATED']);
    const foreign = await request(null, '{ _service { sdl } }', {}, await signer.sign(platformAdmin(), 'subgraph:tenants'));
    expect(codes(foreign)).toEqual(['UNAUTHENTICATED']);
    const entities = await request(null, 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Tenant { id } } }', { r: [{ __typename: 'Tenant', id: tenantB }] });
    expect(codes(entities)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('costSummary', () => {
  it('returns per-minute points, oldest first with empty minutes, totals and per-model cost', async () => {
    const reply = await request(viewerA(), summaryQuery, { t: tenantA, w: 'LAST_15_MINUTES' });
    expect(reply.body.errors).toBeUndefined();
    const summary = (reply.body.data as { costSummary: { series: { bucketStart: string; costUsd: number; requests: number }[] } & Record<string, unknown> }).costSummary;
    expect(summary).toMatchObject({ tenantId: tenantA, window: 'LAST_15_MINUTES', totalCostUsd: 2.25, totalRequests: 3, promptTokens: 300, completionTokens: 150 });
    expect(summary.series).toHaveLength(15);
    expect(summary.series[0]?.bucketStart).toBe('2026-03-01T12:16:00.000Z');
    expect(summary.series[4]).toEqual({ bucketStart: '2026-03-01T12:20:00.000Z', costUsd: 0.5, requests: 1, tokens: 150 });
    expect(summary.series[14]).toEqual({ bucketStart: '2026-03-01T12:30:00.000Z', costUsd: 1.75, requests: 2, tokens: 300 });
    expect(summary.series.filter((point) => point.requests === 0)).toHaveLength(13);
    expect(summary['byModel']).toEqual([
      { model: 'mock-gpt', costUsd: 2, requests: 2, promptTokens: 200, completionTokens: 100 },
      { model: 'mock-large', costUsd: 0.25, requests: 1, promptTokens: 100, completionTokens: 50 },
    ]);
  });

  it('defaults to the last hour and includes older minutes in the day window, in 15-minute buckets', async () => {
    const hour = await request(viewerA(), 'query ($t: ID!) { costSummary(tenantId: $t) { window bucketSeconds totalRequests series { requests } } }', { t: tenantA });
    expect(hour.body.data).toMatchObject({ costSummary: { window: 'LAST_HOUR', bucketSeconds: 60, totalRequests: 3 } });
    const day = await request(viewerA(), 'query ($t: ID!) { costSummary(tenantId: $t, window: LAST_24_HOURS) { bucketSeconds totalRequests series { bucketStart requests } } }', { t: tenantA });
    expect(day.body.data).toMatchObject({ costSummary: { bucketSeconds: 900, totalRequests: 4, series: expect.any(Array) } });
    const series = (day.body.data as { costSummary: { series: Array<{ bucketStart: string; requests: number }> } }).costSummary.series;
    // 12:31 yesterday .. 12:30 today in buckets aligned to the quarter hour: 12:30 yesterday .. 12:30 today.
    expect(series).toHaveLength(97);
    expect(series[0]?.bucketStart).toBe('2026-02-28T12:30:00.000Z');
    expect(series.at(-1)?.bucketStart).toBe('2026-03-01T12:30:00.000Z');
    expect(series.reduce((sum, point) => sum + point.requests, 0)).toBe(4);
  });

  it("refuses another tenant's cost", async () => {
    const reply = await request(viewerA(), summaryQuery, { t: tenantB, w: 'LAST_HOUR' });
    expect(codes(reply)).toEqual(['FORBIDDEN']);
    expect(reply.body.data ?? null).toBeNull();
    expect(JSON.stringify(reply.body)).not.toContain('7');
  });

  it('lets a platform admin read any tenant', async () => {
    const reply = await request(platformAdmin(), summaryQuery, { t: tenantB, w: 'LAST_HOUR' });
    expect(reply.body.data).toMatchObject({ costSummary: { tenantId: tenantB, totalCostUsd: 7 } });
  });

  it('rejects a malformed tenant id or window', async () => {
    const badId = await request(viewerA(), summaryQuery, { t: "1' OR '1'='1", w: 'LAST_HOUR' });
    expect(badId.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'tenantId' });
    const badWindow = await request(viewerA(), summaryQuery, { t: tenantA, w: 'LAST_DECADE' });
    expect(codes(badWindow)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('shadow cost', () => {
  const shadowQuery = `query ($t: ID!) {
    costSummary(tenantId: $t, window: LAST_15_MINUTES) {
      totalCostUsd totalRequests shadowCostUsd shadowRequests
      series { bucketStart costUsd shadowCostUsd shadowRequests }
      shadowByExperiment { experimentId model costUsd requests promptTokens completionTokens }
    }
  }`;

  it('serves shadow cost apart from the client totals, per minute and per experiment', async () => {
    const reply = await request(viewerA(), shadowQuery, { t: tenantA });
    expect(reply.body.errors).toBeUndefined();
    const summary = (reply.body.data as { costSummary: { series: { bucketStart: string }[] } & Record<string, unknown> }).costSummary;
    expect(summary).toMatchObject({ totalCostUsd: 2.25, totalRequests: 3, shadowCostUsd: 0.4, shadowRequests: 1 });
    expect(summary.series[14]).toEqual({ bucketStart: '2026-03-01T12:30:00.000Z', costUsd: 1.75, shadowCostUsd: 0.4, shadowRequests: 1 });
    expect(summary['shadowByExperiment']).toEqual([
      { experimentId: EXPERIMENT, model: 'mock-challenger', costUsd: 0.4, requests: 1, promptTokens: 100, completionTokens: 50 },
    ]);
  });

  it("shows another tenant none of it, and refuses to read another tenant's", async () => {
    const own = await request(principal(['viewer'], tenantB), shadowQuery, { t: tenantB });
    expect(own.body.data).toMatchObject({ costSummary: { shadowCostUsd: 0, shadowRequests: 0, shadowByExperiment: [] } });
    const foreign = await request(principal(['viewer'], tenantB), shadowQuery, { t: tenantA });
    expect(codes(foreign)).toEqual(['FORBIDDEN']);
  });
});

describe('Tenant.cost through _entities', () => {
  const entities = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Tenant { id cost(window: LAST_15_MINUTES) { totalCostUsd } } } }';

  it("resolves the caller's tenant and refuses another tenant's representation", async () => {
    const reply = await request(viewerA(), entities, { r: [{ __typename: 'Tenant', id: tenantA }, { __typename: 'Tenant', id: tenantB }] });
    expect(reply.body.data).toEqual({ _entities: [{ id: tenantA, cost: { totalCostUsd: 2.25 } }, null] });
    expect(reply.body.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([[['_entities', 1, 'cost'], 'FORBIDDEN']]);
  });
});

describe('Subscription.costUpdated', () => {
  it('explains that the gateway serves it', async () => {
    const reply = await request(viewerA(), 'subscription ($t: ID!) { costUpdated(tenantId: $t) { totalCostUsd } }', { t: tenantA });
    expect(codes(reply)).toEqual(['SUBSCRIPTION_VIA_GATEWAY']);
    expect(reply.body.errors?.[0]?.message).toMatch(/gateway/);
    expect(reply.body.data ?? null).toBeNull();
  });
});
