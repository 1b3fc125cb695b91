import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessBus } from '@switchyard/bus';
import { AUDIT_STREAM, auditEventSchema } from '@switchyard/events/audit';
import type { Bus } from '@switchyard/bus';
import { seededRandomSource } from '@switchyard/ledger';
import type { Database } from '@switchyard/db';
import { createMemoryTestDatabase } from '@switchyard/db/testing';
import type { MemoryTestDatabase } from '@switchyard/db/testing';
import { createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair } from '@switchyard/identity';
import type { InternalTokenSigner, Principal, Role } from '@switchyard/identity';
import { createMetricsListener } from '@switchyard/http-edge/metrics-listener';
import { createDpSubgraph } from '../src/dp-subgraph';
import { createDpMetrics } from '../src/metrics';
import type { DpSubgraph } from '../src/dp-subgraph';
import { createRecordingLogger } from './recording-logger';

const AUDIENCE = 'subgraph:dp';

interface Reply {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

let testDatabase: MemoryTestDatabase;
let db: Database;
let bus: Bus;
let signer: InternalTokenSigner;
let subgraph: DpSubgraph;
let origin: string;
let tenantA: string;
let tenantB: string;

const principal = (roles: Role[], tenantId: string | null): Principal => ({ subject: `user-${roles.join('-')}`, email: null, tenantId, roles, service: 'gateway' });

async function request(caller: Principal | null, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Reply> {
  const bearer = token ?? (caller ? await signer.sign(caller, AUDIENCE) : null);
  const response = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Reply['body'] };
}

const codes = (reply: Reply) => (reply.body.errors ?? []).map((error) => error.extensions?.['code']);

const CREATE = `mutation($input: CreateDpBudgetInput!) { createDpBudget(input: $input) { id dataset mode cap capMicros remaining usedPercent delta capEpsilonDelta { epsilon delta } alertThresholds } }`;
const BUDGETS = `query($tenantId: ID!) { dpBudgets(tenantId: $tenantId) { id dataset remaining remainingMicros spent reserved } }`;
const RESERVE = `mutation($input: ReserveDpBudgetInput!) { reserveDpBudget(input: $input) { id state amountMicros mechanism noiseDrawn } }`;
const UPDATE = `mutation($input: UpdateDpBudgetInput!) { updateDpBudget(input: $input) { id cap remaining alertThresholds } }`;
const DELETE = `mutation($id: ID!) { deleteDpBudget(id: $id) { id spent } }`;
const COMMIT = `mutation($id: ID!) { commitDpCharge(chargeId: $id) { id state } }`;
const RELEASE = `mutation($id: ID!) { releaseDpCharge(chargeId: $id) { id state } }`;
const NOISY = `mutation($input: ReleaseNoisyAggregateInput!) { releaseNoisyAggregate(input: $input) { noisyValue fresh charge { id state noiseDrawn amountMicros mechanism } budget { spentMicros remaining } } }`;

beforeAll(async () => {
  testDatabase = await createMemoryTestDatabase();
  db = testDatabase.db;
  bus = createInProcessBus();
  const keys = await generateInternalKeyPair();
  signer = createInternalTokenSigner(keys.privateKey);
  subgraph = createDpSubgraph({
    db,
    bus,
    verifyInternalToken: createInternalTokenVerifier(keys.publicKey, AUDIENCE),
    logger: createRecordingLogger().logger,
    expirySweepMs: 0,
    random: seededRandomSource(7n),
  });
  await new Promise<void>((resolve) => subgraph.server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(subgraph.server.address() as AddressInfo).port}`;
  const create = (slug: string) => db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }));
  tenantA = (await create('dp-a')).id;
  tenantB = (await create('dp-b')).id;
}, 120_000);

afterAll(async () => {
  await subgraph?.close();
  await bus?.close();
  await testDatabase?.drop();
});

describe('dp subgraph over HTTP', () => {
  it('creates, lists, spends and shows a budget for a tenant admin', async () => {
    const admin = principal(['tenant_admin'], tenantA);
    const created = await request(admin, CREATE, { input: { tenantId: tenantA, dataset: 'visits', mode: 'ZCDP', cap: '1.5', delta: 1e-6 } });
    expect(created.body.errors).toBeUndefined();
    const budget = created.body.data?.['createDpBudget'] as Record<string, unknown>;
    expect(budget).toMatchObject({ dataset: 'visits', mode: 'ZCDP', cap: '1.5', capMicros: '1500000', remaining: '1.5', usedPercent: 0, delta: 1e-6, alertThresholds: [50, 80, 95] });
    expect((budget['capEpsilonDelta'] as { epsilon: number }).epsilon).toBeCloseTo(1.5 + 2 * Math.sqrt(1.5 * Math.log(1e6)), 9);
    expect(codes(await request(admin, CREATE, { input: { tenantId: tenantA, dataset: 'visits', mode: 'PURE_EPSILON', cap: '1' } }))).toEqual(['DP_BUDGET_EXISTS']);

    const reserved = await request(admin, RESERVE, { input: { budgetId: budget['id'], idempotencyKey: 'k1', amount: '0.1', ttlSeconds: 60 } });
    const charge = reserved.body.data?.['reserveDpBudget'] as { id: string };
    expect(reserved.body.data?.['reserveDpBudget']).toMatchObject({ state: 'RESERVED', amountMicros: '100000', mechanism: 'manual', noiseDrawn: false });
    expect((await request(admin, COMMIT, { id: charge.id })).body.data?.['commitDpCharge']).toMatchObject({ state: 'COMMITTED' });

    const noisy = await request(admin, NOISY, { input: { budgetId: budget['id'], idempotencyKey: 'n1', value: '12345678901234567890', sensitivity: '1', mechanism: 'DISCRETE_GAUSSIAN', privacyParameter: '0.4' } });
    const release = noisy.body.data?.['releaseNoisyAggregate'] as { noisyValue: string; charge: { id: string } };
    expect(release).toMatchObject({ fresh: true, charge: { state: 'COMMITTED', noiseDrawn: true, amountMicros: '400000' }, budget: { spentMicros: '500000', remaining: '1' } });
    expect(BigInt(release.noisyValue)).not.toBeNaN();
    expect(codes(await request(admin, RELEASE, { id: release.charge.id }))).toEqual(['DP_NOISE_DRAWN']);

    const listed = await request(principal(['viewer'], tenantA), BUDGETS, { tenantId: tenantA });
    expect(listed.body.data?.['dpBudgets']).toEqual([{ id: budget['id'], dataset: 'visits', remaining: '1', remainingMicros: '1000000', spent: '0.5', reserved: '0' }]);

    // Metrics are the operator listener's (metrics-exposure.test.ts), never the subgraph's port; by state, no tenant labels.
    expect((await fetch(`${origin}/metrics`)).status).toBe(404);
    const text = await subgraph.metrics.registry.metrics();
    expect(text).toMatch(/^dp_budgets\{state="available"\} [1-9]/m);
    expect(text).not.toContain(tenantA);
    expect(text).not.toContain('visits');
  });

  it('answers with stable codes for exceeded budgets, bad input and foreign tenants', async () => {
    const admin = principal(['tenant_admin'], tenantA);
    const created = await request(admin, CREATE, { input: { tenantId: tenantA, dataset: 'small', mode: 'PURE_EPSILON', cap: '0.5' } });
    const budgetId = (created.body.data?.['createDpBudget'] as { id: string }).id;
    const exceeded = await request(admin, RESERVE, { input: { budgetId, idempotencyKey: 'big', amount: '0.6' } });
    expect(exceeded.body.errors?.[0]?.extensions).toMatchObject({ code: 'DP_BUDGET_EXCEEDED', remainingMicros: '500000' });
    expect(codes(await request(admin, RESERVE, { input: { budgetId, idempotencyKey: 'neg', amount: '-1' } }))).toEqual(['DP_INVALID_AMOUNT']);
    expect(codes(await request(admin, NOISY, { input: { budgetId, idempotencyKey: 'g', value: '1', sensitivity: '1', mechanism: 'DISCRETE_GAUSSIAN', privacyParameter: '0.1' } }))).toEqual(['DP_MECHANISM_NOT_ALLOWED']);
    expect(codes(await request(principal(['viewer'], tenantB), BUDGETS, { tenantId: tenantA }))).toEqual(['FORBIDDEN']);
    expect(codes(await request(principal(['tenant_admin'], tenantB), RESERVE, { input: { budgetId, idempotencyKey: 'x', amount: '0.1' } }))).toEqual(['NOT_FOUND']);
    expect(codes(await request(principal(['viewer'], tenantA), CREATE, { input: { tenantId: tenantA, dataset: 'v', mode: 'PURE_EPSILON', cap: '1' } }))).toEqual(['FORBIDDEN']);
    expect(codes(await request(admin, `subscription { dpBudgetChanged(tenantId: "${tenantA}") { id } }`))).toEqual(['SUBSCRIPTION_VIA_GATEWAY']);
    const other = await request(principal(['platform_admin'], null), `query($id: ID!) { dpBudget(id: $id) { dataset spent } }`, { id: budgetId });
    expect(other.body.data?.['dpBudget']).toEqual({ dataset: 'small', spent: '0' });
  });

  it('puts every budget change on the audit stream, once per change, in the audit ledger\'s event shape', async () => {
    const admin = principal(['tenant_admin'], tenantA);
    const created = await request(admin, CREATE, { input: { tenantId: tenantA, dataset: 'audited', mode: 'PURE_EPSILON', cap: '1' } });
    const budgetId = (created.body.data?.['createDpBudget'] as { id: string }).id;
    const noisy = { input: { budgetId, idempotencyKey: 'audited-1', value: '10', sensitivity: '1', mechanism: 'DISCRETE_LAPLACE', privacyParameter: '0.25' } };
    await request(admin, NOISY, noisy);
    await request(admin, NOISY, noisy); // a replay of the same release is not a new release

    await bus.ensureGroup(AUDIT_STREAM, 'dp-audit-test');
    const entries = await bus.readGroup(AUDIT_STREAM, 'dp-audit-test', 'reader', { count: 1000, blockMs: 0 });
    const events = entries.map((entry) => auditEventSchema.parse(JSON.parse(entry.payload))).filter((event) => event.payload['budgetId'] === budgetId);
    expect(events.map((event) => event.action)).toEqual(['dp_budget.create', 'dp.noisy_release']);
    expect(events.every((event) => event.tenantId === tenantA && event.actor === `user:${admin.subject}`)).toBe(true);
    expect(events[1]?.payload).toMatchObject({ amountMicros: '250000', state: 'committed' });
  });

  it('edits a budget\'s cap and thresholds and deletes it: tenant_admin only, never below what is used, never with reservations outstanding, audited', async () => {
    const admin = principal(['tenant_admin'], tenantA);
    const created = await request(admin, CREATE, { input: { tenantId: tenantA, dataset: 'editable', mode: 'PURE_EPSILON', cap: '1' } });
    const budgetId = (created.body.data?.['createDpBudget'] as { id: string }).id;
    const reserved = await request(admin, RESERVE, { input: { budgetId, idempotencyKey: 'edit-1', amount: '0.4' } });
    const chargeId = (reserved.body.data?.['reserveDpBudget'] as { id: string }).id;

    const raised = await request(admin, UPDATE, { input: { id: budgetId, cap: '2.5', alertThresholds: [90, 60] } });
    expect(raised.body.data?.['updateDpBudget']).toEqual({ id: budgetId, cap: '2.5', remaining: '2.1', alertThresholds: [60, 90] });
    // Below what is spent + reserved (0.4): refused, nothing changed.
    const tooLow = await request(admin, UPDATE, { input: { id: budgetId, cap: '0.3' } });
    expect(codes(tooLow)).toEqual(['DP_CAP_BELOW_USED']);
    expect(tooLow.body.errors?.[0]?.extensions).toMatchObject({ field: 'input.cap', usedMicros: '400000' });
    expect(codes(await request(admin, UPDATE, { input: { id: budgetId } }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await request(admin, UPDATE, { input: { id: budgetId, cap: '-1' } }))).toEqual(['DP_INVALID_AMOUNT']);
    // Operators spend but do not manage; another tenant's admin does not see it.
    expect(codes(await request(principal(['operator'], tenantA), UPDATE, { input: { id: budgetId, cap: '3' } }))).toEqual(['FORBIDDEN']);
    expect(codes(await request(principal(['tenant_admin'], tenantB), UPDATE, { input: { id: budgetId, cap: '3' } }))).toEqual(['NOT_FOUND']);
    expect(codes(await request(principal(['tenant_admin'], tenantB), DELETE, { id: budgetId }))).toEqual(['NOT_FOUND']);

    expect(codes(await request(admin, DELETE, { id: budgetId }))).toEqual(['DP_BUDGET_IN_USE']);
    await request(admin, COMMIT, { id: chargeId });
    const deleted = await request(admin, DELETE, { id: budgetId });
    expect(deleted.body.data?.['deleteDpBudget']).toMatchObject({ id: budgetId, spent: '0.4' });
    expect(codes(await request(admin, DELETE, { id: budgetId }))).toEqual(['NOT_FOUND']);
    const left = (await request(admin, BUDGETS, { tenantId: tenantA })).body.data?.['dpBudgets'] as { id: string }[];
    expect(left.map((budget) => budget.id)).not.toContain(budgetId);

    await bus.ensureGroup(AUDIT_STREAM, 'dp-edit-test');
    const entries = await bus.readGroup(AUDIT_STREAM, 'dp-edit-test', 'reader', { count: 1000, blockMs: 0 });
    const events = entries.map((entry) => auditEventSchema.parse(JSON.parse(entry.payload))).filter((event) => event.payload['budgetId'] === budgetId);
    expect(events.map((event) => event.action)).toEqual(['dp_budget.create', 'dp_charge.reserve', 'dp_budget.update', 'dp_charge.commit', 'dp_budget.delete']);
    expect(events[2]?.payload).toMatchObject({ capMicrosBefore: '1000000', capMicros: '2500000', alertThresholds: '60,90' });
    expect(events[4]?.payload).toMatchObject({ dataset: 'editable', spentMicros: '400000' });
  });

  it('refuses callers without a valid internal token', async () => {
    const reply = await request(null, BUDGETS, { tenantId: tenantA });
    expect(reply.status).toBe(401);
    expect(codes(reply)).toEqual(['UNAUTHENTICATED']);
    expect((await request(null, BUDGETS, { tenantId: tenantA }, 'garbage')).status).toBe(401);
  });

  it('releases timed-out reservations in the expiry sweep', async () => {
    const admin = principal(['tenant_admin'], tenantA);
    const created = await request(admin, CREATE, { input: { tenantId: tenantA, dataset: 'sweep', mode: 'PURE_EPSILON', cap: '1' } });
    const budgetId = (created.body.data?.['createDpBudget'] as { id: string }).id;
    await request(admin, RESERVE, { input: { budgetId, idempotencyKey: 'short', amount: '0.2', ttlSeconds: 1 } });
    await db.withTenant(tenantA, (tx) => tx.dpCharge.updateMany({ where: { budgetId }, data: { expiresAt: new Date(Date.now() - 1000) } }));
    expect(await subgraph.service.releaseExpired()).toBe(1);
    const budget = await request(admin, `query($id: ID!) { dpBudget(id: $id) { reservedMicros spentMicros } }`, { id: budgetId });
    expect(budget.body.data?.['dpBudget']).toEqual({ reservedMicros: '0', spentMicros: '0' });
  });
});

describe('dp subgraph metrics exposure (SECURITY.md "Metrics exposure")', () => {
  async function scrape(listener: Server, token?: string): Promise<{ status: number; text: string }> {
    const { port } = listener.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: response.status, text: await response.text() };
  }

  it('serves budgets only on the operator listener, behind its token, with no tenant id or dataset name in any label value', async () => {
    const admin = principal(['tenant_admin'], tenantB);
    const created = await request(admin, CREATE, { input: { tenantId: tenantB, dataset: 'secret-dataset', mode: 'PURE_EPSILON', cap: '1' } });
    expect(created.body.errors).toBeUndefined();
    const budgetId = (created.body.data?.['createDpBudget'] as { id: string }).id;
    expect((await request(admin, RESERVE, { input: { budgetId, idempotencyKey: 'exp-1', amount: '0.95' } })).body.errors).toBeUndefined();

    expect((await fetch(`${origin}/metrics`)).status).toBe(404);
    const token = 'operator-metrics-token-0123456789';
    const listener = createMetricsListener({ sources: () => [subgraph.metrics.registry], token });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      expect((await scrape(listener)).status).toBe(401);
      expect((await scrape(listener, 'wrong-token-wrong-token-wrong')).status).toBe(401);
      const { status, text } = await scrape(listener, token);
      expect(status).toBe(200);
      expect(text).toMatch(/^dp_budgets\{state="low"\} [1-9]/m);
      expect(text).not.toContain('secret-dataset');
      expect(text).not.toContain(tenantB);
      expect(text).not.toContain(tenantA);
    } finally {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    }
  });

  it('names tenants and datasets only when the operator opts in (METRICS_TENANT_LABELS=on)', () => {
    const budget = { id: 'b1', tenantId: 't1', dataset: 'secret-dataset', mode: 'pure_epsilon' as const, capMicros: 1_000_000n, spentMicros: 0n, reservedMicros: 0n, delta: null, alertThresholds: [], createdAt: new Date() };
    const off = createDpMetrics();
    off.observe(budget);
    const on = createDpMetrics({ tenantLabels: true });
    on.observe(budget);
    return Promise.all([off.registry.metrics(), on.registry.metrics()]).then(([offText, onText]) => {
      expect(offText).not.toContain('secret-dataset');
      expect(offText).toMatch(/^dp_budgets\{state="available"\} 1$/m);
      expect(onText).toContain('dp_budget_remaining{tenant="t1",dataset="secret-dataset"} 1');
    });
  });
});
