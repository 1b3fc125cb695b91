import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { seed, type Database } from '@switchyard/db';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { OPTIMIZER_RUN_REQUESTED_CHANNEL } from '@switchyard/events/optimizer';
import { AUDIT_STREAM } from '@switchyard/events/audit';
import { createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair, type InternalTokenSigner, type Principal, type Role } from '@switchyard/identity';
import { createCostSubgraph, type CostSubgraph } from '../src/cost-subgraph';
import { createRecordingLogger } from './recording-logger';

/** Savings, gain share and the optimizer settings over the cost subgraph's HTTP API. */
const AUDIENCE = 'subgraph:cost';
let testDatabase: MemoryTestDatabase;
let db: Database;
let bus: Bus;
let signer: InternalTokenSigner;
let subgraph: CostSubgraph;
let url: string;
let tenantA: string;
let tenantB: string;

const principal = (roles: Role[], tenantId: string | null): Principal => ({ subject: `user-${roles.join('-')}`, email: null, tenantId, roles, service: 'gateway' });
type Reply = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string; field?: string } }[] };
async function request(caller: Principal, query: string, variables: Record<string, unknown> = {}): Promise<Reply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await signer.sign(caller, AUDIENCE)}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Reply;
}
const codes = (reply: Reply) => (reply.errors ?? []).map((error) => error.extensions?.code);

const SAVINGS = `query ($t: ID!) { savings(tenantId: $t) { tenantId baseline gainSharePct routes { route baselineModel requests actualCostUsd baselineCostUsd savingsUsd savingsPct regretDelta } history { route savingsPct } } }`;
const GAIN_SHARE = `query ($t: ID!, $m: String!) { gainShareReport(tenantId: $t, month: $m) { month requests actualCostUsd baselineCostUsd savingsUsd sharePct shareUsd } }`;
const SET = `mutation ($t: ID!, $b: SavingsBaseline, $s: Float) { setOptimizerSettings(tenantId: $t, baseline: $b, gainSharePct: $s) { baseline gainSharePct } }`;
const RUN = `mutation ($t: ID!) { runCostOptimizer(tenantId: $t) }`;

beforeAll(async () => {
  testDatabase = await createMemoryTestDatabase();
  db = testDatabase.db;
  await seed(db);
  bus = createInProcessBus();
  const keys = await generateInternalKeyPair();
  signer = createInternalTokenSigner(keys.privateKey);
  subgraph = createCostSubgraph({ db, bus, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, AUDIENCE), logger: createRecordingLogger().logger });
  await new Promise<void>((resolve) => subgraph.server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(subgraph.server.address() as AddressInfo).port}/graphql`;
  const create = (slug: string) => db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }));
  tenantA = (await create('savings-a')).id;
  tenantB = (await create('savings-b')).id;

  // What the cost optimizer writes: two runs for route smart, and March's route traffic.
  const snapshot = (tenantId: string, at: string) => db.withTenant(tenantId, (tx) => tx.optimizerSnapshot.create({ data: { tenantId, windowStart: new Date(at), windowEnd: new Date(at) }, select: { id: true } }));
  const first = await snapshot(tenantA, '2026-03-10T00:00:00Z');
  const second = await snapshot(tenantA, '2026-03-11T00:00:00Z');
  const savingsRow = (snapshotId: string, createdAt: string, actual: bigint, pct: number) => ({
    snapshotId,
    tenantId: tenantA,
    route: 'smart',
    baseline: 'champion',
    baselineModel: 'mock-large',
    requests: 10,
    actualMicros: actual,
    baselineMicros: 1_000_000n,
    savingsPct: pct,
    regret: 0.5,
    regretDelta: 0.05,
    createdAt: new Date(createdAt),
  });
  await db.withTenant(tenantA, (tx) => tx.routeSavings.createMany({ data: [savingsRow(first.id, '2026-03-10T00:00:00Z', 600_000n, 40), savingsRow(second.id, '2026-03-11T00:00:00Z', 250_000n, 75)] }));
  const observation = (requestId: string, model: string, costMicros: bigint, createdAt: string) => ({
    tenantId: tenantA,
    requestId,
    route: 'smart',
    upstream: `mock/${model}`,
    model,
    success: true,
    latencyMs: 10,
    promptTokens: 1000,
    completionTokens: 1000,
    costMicros,
    createdAt: new Date(createdAt),
  });
  await db.withTenant(tenantA, (tx) =>
    tx.optimizerObservation.createMany({
      data: [
        observation('r1', 'mock-mini', 750n, '2026-03-05T10:00:00Z'),
        observation('r2', 'mock-mini', 750n, '2026-03-20T10:00:00Z'),
        observation('r3', 'mock-large', 18_000n, '2026-03-31T23:59:59Z'),
        observation('r4', 'mock-mini', 750n, '2026-04-01T00:00:00Z'), // April
      ],
    }),
  );
});

afterAll(async () => {
  await subgraph?.close();
  await bus?.close();
  await testDatabase?.drop();
});

describe('savings over GraphQL', () => {
  it('members read the newest run per route and the history; defaults before any setting', async () => {
    const reply = await request(principal(['viewer'], tenantA), SAVINGS, { t: tenantA });
    expect(reply.errors).toBeUndefined();
    expect(reply.data?.['savings']).toEqual({
      tenantId: tenantA,
      baseline: 'CHAMPION',
      gainSharePct: 20,
      routes: [{ route: 'smart', baselineModel: 'mock-large', requests: 10, actualCostUsd: 0.25, baselineCostUsd: 1, savingsUsd: 0.75, savingsPct: 75, regretDelta: 0.05 }],
      history: [
        { route: 'smart', savingsPct: 40 },
        { route: 'smart', savingsPct: 75 },
      ],
    });
  });

  it('gain share of a month: the month traffic at the baseline model minus its cost, times the agreed share', async () => {
    const reply = await request(principal(['viewer'], tenantA), GAIN_SHARE, { t: tenantA, m: '2026-03' });
    // Baseline mock-large: 1000 × 3000/1000 + 1000 × 15000/1000 = 18,000 µ$ per request; 3 requests in March.
    expect(reply.data?.['gainShareReport']).toEqual({ month: '2026-03', requests: 3, actualCostUsd: 0.0195, baselineCostUsd: 0.054, savingsUsd: 0.0345, sharePct: 20, shareUsd: 0.0069 });
  });

  it('tenant admins change the baseline and share (idempotently); viewers and other tenants may not', async () => {
    const admin = principal(['tenant_admin'], tenantA);
    const set = { t: tenantA, b: 'MOST_EXPENSIVE', s: 12.5 };
    expect((await request(admin, SET, set)).data?.['setOptimizerSettings']).toEqual({ baseline: 'MOST_EXPENSIVE', gainSharePct: 12.5 });
    expect((await request(admin, SET, set)).data?.['setOptimizerSettings']).toEqual({ baseline: 'MOST_EXPENSIVE', gainSharePct: 12.5 });
    expect(await db.withTenant(tenantA, (tx) => tx.optimizerSetting.count())).toBe(1);
    await bus.ensureGroup(AUDIT_STREAM, 'savings-test');
    const audited = (await bus.readGroup(AUDIT_STREAM, 'savings-test', 't', { count: 100, blockMs: 0 })).map((entry) => JSON.parse(entry.payload) as { action: string; tenantId: string; payload: unknown });
    expect(audited.filter((event) => event.action === 'optimizer.settings_update' && event.tenantId === tenantA).map((event) => event.payload)).toEqual([
      { baseline: 'most_expensive', gainSharePct: 12.5 },
      { baseline: 'most_expensive', gainSharePct: 12.5 },
    ]);
    expect(codes(await request(principal(['viewer'], tenantA), SET, { t: tenantA, s: 50 }))).toEqual(['FORBIDDEN']);
    expect(codes(await request(principal(['tenant_admin'], tenantB), SET, { t: tenantA, s: 50 }))).toEqual(['FORBIDDEN']);
    expect((await request(principal(['viewer'], tenantA), SAVINGS, { t: tenantA })).data?.['savings']).toMatchObject({ baseline: 'MOST_EXPENSIVE', gainSharePct: 12.5 });
  });

  it('refuses malformed input with BAD_USER_INPUT naming the field', async () => {
    const admin = principal(['tenant_admin'], tenantA);
    expect((await request(admin, SET, { t: tenantA, s: 150 })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'gainSharePct' });
    expect((await request(admin, SAVINGS, { t: 'not-a-uuid' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tenantId' });
    expect((await request(admin, GAIN_SHARE, { t: tenantA, m: '2026-13' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'month' });
  });

  it('another tenant reads nothing of it, and its own report is empty', async () => {
    expect(codes(await request(principal(['tenant_admin'], tenantB), SAVINGS, { t: tenantA }))).toEqual(['FORBIDDEN']);
    expect(codes(await request(principal(['viewer'], tenantB), GAIN_SHARE, { t: tenantA, m: '2026-03' }))).toEqual(['FORBIDDEN']);
    expect((await request(principal(['viewer'], tenantB), SAVINGS, { t: tenantB })).data?.['savings']).toMatchObject({ routes: [], history: [] });
    expect((await request(principal(['viewer'], tenantB), GAIN_SHARE, { t: tenantB, m: '2026-03' })).data?.['gainShareReport']).toMatchObject({ requests: 0, savingsUsd: 0, shareUsd: 0 });
  });

  it('runCostOptimizer asks the optimizer on the bus (tenant admins only)', async () => {
    const asked: string[] = [];
    const unsubscribe = await bus.subscribe(OPTIMIZER_RUN_REQUESTED_CHANNEL, (message) => asked.push(message));
    expect(codes(await request(principal(['viewer'], tenantA), RUN, { t: tenantA }))).toEqual(['FORBIDDEN']);
    expect((await request(principal(['tenant_admin'], tenantA), RUN, { t: tenantA })).data).toEqual({ runCostOptimizer: true });
    expect(asked).toEqual([JSON.stringify({ tenantId: tenantA })]);
    await unsubscribe();
  });
});
