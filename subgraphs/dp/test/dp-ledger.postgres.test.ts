import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessBus } from '@switchyard/bus';
import { ALERTS_STREAM, alertEventSchema } from '@switchyard/events/alerts';
import type { Bus } from '@switchyard/bus';
import { seededRandomSource } from '@switchyard/ledger';
import type { Database } from '@switchyard/db';
import { createTestDatabase } from '@switchyard/db/testing';
import type { TestDatabase } from '@switchyard/db/testing';
import type { Principal, Role } from '@switchyard/identity';
import { DP_BUDGET_CHANGED_CHANNEL, type DpBudgetChangedEvent } from '@switchyard/events/dp';
import { createDpService } from '../src/dp-service';
import type { DpService } from '../src/dp-service';
import { createDpMetrics } from '../src/metrics';
import type { DpMetrics } from '../src/metrics';
import { createRecordingLogger } from './recording-logger';

const run = promisify(execFile);

let testDatabase: TestDatabase;
let db: Database;
let bus: Bus;
let metrics: DpMetrics;
let service: DpService;
let clock = new Date('2026-03-01T12:00:00.000Z');
let tenantA: string;
let tenantB: string;
const events: DpBudgetChangedEvent[] = [];

const principal = (roles: Role[], tenantId: string | null): Principal => ({ subject: `user-${roles.join('-')}`, email: null, tenantId, roles, service: 'gateway' });
const adminOf = (tenantId: string) => principal(['tenant_admin'], tenantId);

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return (error as { extensions?: { code?: unknown } }).extensions?.code ?? error;
  }
}

async function newBudget(tenantId: string, cap: string, mode: 'PURE_EPSILON' | 'ZCDP' = 'PURE_EPSILON', extra: Record<string, unknown> = {}) {
  return service.createBudget({ tenantId, dataset: `ds-${Math.random().toString(36).slice(2)}`, mode, cap, ...(mode === 'ZCDP' ? { delta: 1e-6 } : {}), ...extra }, adminOf(tenantId));
}

async function chargesOf(tenantId: string, budgetId: string) {
  return db.withTenant(tenantId, (tx) => tx.dpCharge.findMany({ where: { budgetId } }));
}

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  db = testDatabase.db;
  bus = createInProcessBus();
  await bus.subscribe(DP_BUDGET_CHANGED_CHANNEL, (message) => events.push(JSON.parse(message) as DpBudgetChangedEvent));
  // The per-budget gauge with tenant and dataset labels is opt-in (METRICS_TENANT_LABELS=on): asserted below.
  metrics = createDpMetrics({ tenantLabels: true });
  service = createDpService({ db, bus, metrics, logger: createRecordingLogger().logger, random: seededRandomSource(42n), now: () => clock });
  [tenantA, tenantB] = await db.withPlatform(async (tx) => {
    const a = await tx.tenant.create({ data: { slug: 'dp-a', name: 'A' } });
    const b = await tx.tenant.create({ data: { slug: 'dp-b', name: 'B' } });
    return [a.id, b.id];
  });
}, 120_000);

afterAll(async () => {
  await bus?.close();
  await testDatabase?.drop();
});

describe('dp ledger on Postgres', () => {
  it('never overspends with 50 concurrent spenders in two processes, and Σ committed = spent', async () => {
    const budget = await newBudget(tenantA, '1');
    const script = fileURLToPath(new URL('./spend-cli.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
    const spawnSpenders = (prefix: string) =>
      run(tsx, [script, testDatabase.url, tenantA, budget.id, '25', '0.03', prefix], { cwd: fileURLToPath(new URL('..', import.meta.url)) }).then(
        ({ stdout }) => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { committed: string[]; exceeded: number; failed: string[] },
      );
    const [one, two] = await Promise.all([spawnSpenders('p1'), spawnSpenders('p2')]);
    expect([...one.failed, ...two.failed]).toEqual([]);
    // 0.03 fits 33 times into 1: exactly 33 charges succeed, whatever the interleaving.
    expect(one.committed.length + two.committed.length).toBe(33);
    expect(one.exceeded + two.exceeded).toBe(17);

    const after = await service.getBudget(budget.id, adminOf(tenantA));
    const charges = await chargesOf(tenantA, budget.id);
    const committed = charges.filter((charge) => charge.state === 'committed');
    expect(after?.spentMicros).toBe(990_000n);
    expect(after?.reservedMicros).toBe(0n);
    expect(committed.reduce((sum, charge) => sum + charge.amountMicros, 0n)).toBe(after?.spentMicros);
    expect(new Set(committed.map((charge) => charge.id))).toEqual(new Set([...one.committed, ...two.committed]));
    expect(charges.filter((charge) => charge.state !== 'committed')).toEqual([]);
  }, 180_000);

  it('rejects a charge past the cap with the remainder, and changes nothing', async () => {
    const budget = await newBudget(tenantA, '1');
    await service.reserve({ budgetId: budget.id, idempotencyKey: 'first', amount: '0.4' }, adminOf(tenantA));
    const error = await service.reserve({ budgetId: budget.id, idempotencyKey: 'too-much', amount: '0.600001' }, adminOf(tenantA)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ extensions: { code: 'DP_BUDGET_EXCEEDED', remainingMicros: '600000', requestedMicros: '600001' } });
    const after = await service.getBudget(budget.id, adminOf(tenantA));
    expect(after).toMatchObject({ spentMicros: 0n, reservedMicros: 400_000n });
    expect((await chargesOf(tenantA, budget.id)).map((charge) => charge.idempotencyKey)).toEqual(['first']);
    // The database refuses an overspend on its own too (CHECK constraint).
    await expect(db.withTenant(tenantA, (tx) => tx.dpBudget.update({ where: { id: budget.id }, data: { spentMicros: 700_000n } }))).rejects.toThrow();
  });

  it('replays a reservation by idempotency key, even concurrently, and refuses the key for another amount', async () => {
    const budget = await newBudget(tenantA, '1');
    const request = { budgetId: budget.id, idempotencyKey: 'job-7', amount: '0.25', ttlSeconds: 60 };
    const charges = await Promise.all(Array.from({ length: 5 }, () => service.reserve(request, adminOf(tenantA))));
    expect(new Set(charges.map((charge) => charge.id)).size).toBe(1);
    expect((await service.getBudget(budget.id, adminOf(tenantA)))?.reservedMicros).toBe(250_000n);
    expect(await codeOf(service.reserve({ ...request, amount: '0.3' }, adminOf(tenantA)))).toBe('DP_IDEMPOTENCY_CONFLICT');

    const chargeId = charges[0]?.id ?? '';
    const committed = await Promise.all([service.commit(chargeId, adminOf(tenantA)), service.commit(chargeId, adminOf(tenantA))]);
    expect(committed.map((charge) => charge.state)).toEqual(['committed', 'committed']);
    expect(await service.getBudget(budget.id, adminOf(tenantA))).toMatchObject({ spentMicros: 250_000n, reservedMicros: 0n });
    expect(await codeOf(service.release(chargeId, adminOf(tenantA)))).toBe('DP_CHARGE_NOT_RESERVED');
  });

  it('releases a reservation explicitly or when its timeout passes, never after commit', async () => {
    const budget = await newBudget(tenantA, '1');
    const released = await service.reserve({ budgetId: budget.id, idempotencyKey: 'r1', amount: '0.5' }, adminOf(tenantA));
    expect((await service.release(released.id, adminOf(tenantA))).state).toBe('released');
    expect((await service.release(released.id, adminOf(tenantA))).state).toBe('released');

    const timed = await service.reserve({ budgetId: budget.id, idempotencyKey: 'r2', amount: '0.5', ttlSeconds: 30 }, adminOf(tenantA));
    const kept = await service.reserve({ budgetId: budget.id, idempotencyKey: 'r3', amount: '0.25', ttlSeconds: 600 }, adminOf(tenantA));
    expect((await service.getBudget(budget.id, adminOf(tenantA)))?.reservedMicros).toBe(750_000n);
    clock = new Date(clock.getTime() + 31_000);
    expect(await codeOf(service.commit(timed.id, adminOf(tenantA)))).toBe('DP_RESERVATION_EXPIRED');
    expect(await service.releaseExpired()).toBeGreaterThanOrEqual(1);
    expect(await service.getBudget(budget.id, adminOf(tenantA))).toMatchObject({ reservedMicros: 250_000n, spentMicros: 0n });
    expect(await codeOf(service.commit(timed.id, adminOf(tenantA)))).toBe('DP_CHARGE_NOT_RESERVED');
    expect((await service.commit(kept.id, adminOf(tenantA))).state).toBe('committed');
  });

  it('charges a noisy release once, never refunds it, and replays the same noisy value', async () => {
    const budget = await newBudget(tenantA, '2', 'ZCDP');
    const input = { budgetId: budget.id, idempotencyKey: 'q-1', value: '1000', sensitivity: '1', mechanism: 'DISCRETE_GAUSSIAN', privacyParameter: '0.5' };
    const first = await service.releaseNoisyAggregate(input, adminOf(tenantA));
    expect(first.fresh).toBe(true);
    expect(first.charge).toMatchObject({ state: 'committed', noiseDrawn: true, amountMicros: 500_000n });
    expect(first.budget.spentMicros).toBe(500_000n);
    const replay = await service.releaseNoisyAggregate(input, adminOf(tenantA));
    expect(replay).toMatchObject({ fresh: false, noisyValue: first.noisyValue });
    expect(replay.budget.spentMicros).toBe(500_000n);
    expect(await codeOf(service.release(first.charge.id, adminOf(tenantA)))).toBe('DP_NOISE_DRAWN');
    // Laplace at ε = 1 costs ρ = ε²/2 = 0.5 on a zCDP budget.
    const laplace = await service.releaseNoisyAggregate({ ...input, idempotencyKey: 'q-2', mechanism: 'DISCRETE_LAPLACE', privacyParameter: '1' }, adminOf(tenantA));
    expect(laplace.charge.amountMicros).toBe(500_000n);
    expect(await codeOf(service.releaseNoisyAggregate({ ...input, idempotencyKey: 'q-3', privacyParameter: '1.000001' }, adminOf(tenantA)))).toBe('DP_BUDGET_EXCEEDED');
    expect((await service.getBudget(budget.id, adminOf(tenantA)))?.spentMicros).toBe(1_000_000n);
  });

  it('refuses the discrete Gaussian on a pure-ε budget', async () => {
    const budget = await newBudget(tenantA, '1');
    const input = { budgetId: budget.id, idempotencyKey: 'g', value: '1', sensitivity: '1', mechanism: 'DISCRETE_GAUSSIAN', privacyParameter: '0.1' };
    expect(await codeOf(service.releaseNoisyAggregate(input, adminOf(tenantA)))).toBe('DP_MECHANISM_NOT_ALLOWED');
    expect((await chargesOf(tenantA, budget.id)).length).toBe(0);
  });

  it('adds discrete Laplace noise with the right centre and spread (seeded)', async () => {
    const budget = await newBudget(tenantA, '10000');
    const noises: number[] = [];
    for (let index = 0; index < 200; index += 1) {
      const release = await service.releaseNoisyAggregate(
        { budgetId: budget.id, idempotencyKey: `dist-${index}`, value: '500', sensitivity: '1', mechanism: 'DISCRETE_LAPLACE', privacyParameter: '1' },
        adminOf(tenantA),
      );
      noises.push(Number(release.noisyValue - 500n));
    }
    const mean = noises.reduce((sum, noise) => sum + noise, 0) / noises.length;
    const variance = noises.reduce((sum, noise) => sum + (noise - mean) ** 2, 0) / (noises.length - 1);
    // Discrete Laplace with scale 1: mean 0, variance 2e⁻¹/(1−e⁻¹)² ≈ 1.84.
    expect(Math.abs(mean)).toBeLessThan(0.3);
    expect(variance).toBeGreaterThan(1.2);
    expect(variance).toBeLessThan(2.6);
    expect(noises.every(Number.isInteger)).toBe(true);
    expect(new Set(noises).size).toBeGreaterThan(4);
  }, 120_000);

  it('keeps tenants apart', async () => {
    const budget = await newBudget(tenantA, '1');
    expect(await codeOf(service.listBudgets(tenantA, principal(['viewer'], tenantB)))).toBe('FORBIDDEN');
    expect(await codeOf(service.createBudget({ tenantId: tenantA, dataset: 'x', mode: 'PURE_EPSILON', cap: '1' }, adminOf(tenantB)))).toBe('FORBIDDEN');
    expect(await codeOf(service.reserve({ budgetId: budget.id, idempotencyKey: 'steal', amount: '0.1' }, adminOf(tenantB)))).toBe('NOT_FOUND');
    expect(await service.getBudget(budget.id, adminOf(tenantB))).toBeNull();
    expect(await codeOf(service.reserve({ budgetId: budget.id, idempotencyKey: 'viewer', amount: '0.1' }, principal(['viewer'], tenantA)))).toBe('FORBIDDEN');
    const charge = await service.reserve({ budgetId: budget.id, idempotencyKey: 'own', amount: '0.1' }, adminOf(tenantA));
    expect(await codeOf(service.commit(charge.id, adminOf(tenantB)))).toBe('NOT_FOUND');
    expect((await service.commit(charge.id, principal(['platform_admin'], null))).state).toBe('committed');
    expect((await service.getBudget(budget.id, principal(['platform_admin'], null)))?.spentMicros).toBe(100_000n);
  });

  it('rejects hostile amounts before touching state', async () => {
    const budget = await newBudget(tenantA, '1');
    for (const amount of ['-1', '0', '0.0000000', 'abc', '1e3', 'NaN', '', ' ', '0.5; DROP TABLE dp_budgets', '99999999999999999999', '1'.repeat(60), '0x10']) {
      expect(await codeOf(service.reserve({ budgetId: budget.id, idempotencyKey: `h-${amount.length}`, amount }, adminOf(tenantA))), amount).toBe('DP_INVALID_AMOUNT');
    }
    for (const input of [{ budgetId: budget.id, idempotencyKey: 'n', amount: 5 }, { budgetId: 'not-a-uuid', idempotencyKey: 'n', amount: '1' }, { budgetId: budget.id, idempotencyKey: '', amount: '1' }, { budgetId: budget.id, idempotencyKey: 'x'.repeat(300), amount: '1' }, null]) {
      expect(await codeOf(service.reserve(input, adminOf(tenantA)))).toBe('BAD_USER_INPUT');
    }
    const noisy = { budgetId: budget.id, idempotencyKey: 'v', value: '1', sensitivity: '1', mechanism: 'DISCRETE_LAPLACE', privacyParameter: '0.1' };
    expect(await codeOf(service.releaseNoisyAggregate({ ...noisy, value: '1.5' }, adminOf(tenantA)))).toBe('BAD_USER_INPUT');
    expect(await codeOf(service.releaseNoisyAggregate({ ...noisy, sensitivity: '0' }, adminOf(tenantA)))).toBe('DP_INVALID_AMOUNT');
    expect(await codeOf(service.releaseNoisyAggregate({ ...noisy, privacyParameter: '-0.1' }, adminOf(tenantA)))).toBe('DP_INVALID_AMOUNT');
    expect(await codeOf(service.createBudget({ tenantId: tenantA, dataset: 'z', mode: 'ZCDP', cap: '1' }, adminOf(tenantA)))).toBe('BAD_USER_INPUT');
    expect(await codeOf(service.createBudget({ tenantId: tenantA, dataset: 'z', mode: 'PURE_EPSILON', cap: '1', alertThresholds: [0] }, adminOf(tenantA)))).toBe('BAD_USER_INPUT');
    expect(await service.getBudget(budget.id, adminOf(tenantA))).toMatchObject({ spentMicros: 0n, reservedMicros: 0n });
  });

  it('publishes key-only change events with threshold crossings, and the remaining gauge', async () => {
    const budget = await newBudget(tenantA, '1', 'PURE_EPSILON', { alertThresholds: [50, 90] });
    events.length = 0;
    await service.reserve({ budgetId: budget.id, idempotencyKey: 'a', amount: '0.3' }, adminOf(tenantA));
    await service.reserve({ budgetId: budget.id, idempotencyKey: 'b', amount: '0.3' }, adminOf(tenantA));
    await service.reserve({ budgetId: budget.id, idempotencyKey: 'b', amount: '0.3' }, adminOf(tenantA));
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([
      { tenantId: tenantA, budgetId: budget.id, thresholdCrossed: false, crossedThresholds: [] },
      { tenantId: tenantA, budgetId: budget.id, thresholdCrossed: true, crossedThresholds: [50] },
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toContain(`dp_budget_remaining{tenant="${tenantA}",dataset="${budget.dataset}"} 0.4`);
    // The crossing is also queued, durably, for the tenant's alert webhook: one alert, this budget.
    await bus.ensureGroup(ALERTS_STREAM, 'alerts-probe');
    const alerts = (await bus.readGroup(ALERTS_STREAM, 'alerts-probe', 'probe', { count: 100, blockMs: 0 }))
      .map((entry) => alertEventSchema.parse(JSON.parse(entry.payload)))
      .filter((alert) => alert.type === 'dp.budget.threshold_crossed' && alert.data.budgetId === budget.id);
    expect(alerts).toEqual([
      {
        id: `dp-threshold:${budget.id}:50:600000`,
        type: 'dp.budget.threshold_crossed',
        tenantId: tenantA,
        occurredAt: expect.any(String),
        data: { budgetId: budget.id, dataset: budget.dataset, thresholdsPercent: [50], capMicros: '1000000', usedMicros: '600000' },
      },
    ]);
  });
});
