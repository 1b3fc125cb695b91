import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisBus, type Bus } from '@switchyard/bus';
import { seed, type Database } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { BANDIT_PRIORS_CHANGED_CHANNEL, OPTIMIZER_RUN_REQUESTED_CHANNEL, OPTIMIZER_RUNS_STREAM, optimizerRunEventSchema } from '@switchyard/events/optimizer';
import { ROUTING_OBSERVED_CHANNEL } from '@switchyard/events/routing';
import { USAGE_STREAM, type UsageEvent } from '@switchyard/events/usage';
import { composeCostOptimizer, type ComposedCostOptimizer } from './compose-cost-optimizer';
import { createRedisLease } from './schedule/redis-lease';

/** The optimizer on the real backends: Postgres (own database) and Redis (own key prefix). */
const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `sy-test-optimizer-${randomUUID()}:`;
let testDatabase: TestDatabase;
let db: Database;
let bus: Bus;
let optimizer: ComposedCostOptimizer;

const prices = { 'mock-mini': [150, 600], 'mock-large': [3000, 15000] } as const;
function usage(tenantId: string, model: keyof typeof prices, parts: { success?: boolean; priors?: 'active' | 'canary'; configured?: boolean; requestId?: string } = {}): UsageEvent {
  const [input, output] = prices[model];
  const success = parts.success ?? true;
  return {
    requestId: parts.requestId ?? `req-${randomUUID()}`,
    tenantId,
    apiKeyId: null,
    model,
    provider: 'mock',
    promptTokens: 1000,
    completionTokens: 1000,
    priceBookVersion: 1,
    costMicros: String(success ? input + output : 0),
    latencyMs: model === 'mock-mini' ? 80 : 200,
    status: success ? 'ok' : 'error',
    createdAt: new Date().toISOString(),
    route: {
      name: 'smart',
      configured: parts.configured ?? true,
      strategy: 'bandit',
      candidate: success ? `mock/${model}` : null,
      legs: [{ upstream: `mock/${model}`, model, outcome: success ? 'won' : 'failed', promptTokens: 1000, completionTokens: 1000 }],
      ...(parts.priors ? { priors: parts.priors } : {}),
    },
  };
}
const newTenant = async (slug: string) => (await db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }))).id;
const observations = (tenantId: string) => db.withTenant(tenantId, (tx) => tx.optimizerObservation.count());
const priorsOf = (tenantId: string) => db.withTenant(tenantId, (tx) => tx.banditPrior.findMany({ orderBy: [{ stage: 'asc' }, { upstream: 'asc' }] }));
const mean = (p: { alpha: number; beta: number }) => p.alpha / (p.alpha + p.beta);

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  db = testDatabase.db;
  await seed(db);
  bus = createRedisBus(redisUrl, { keyPrefix: prefix });
  optimizer = await composeCostOptimizer(
    { intervalMs: 0, windowMs: 3_600_000, canaryShare: 0.1, platformRoutes: new Map([['smart', ['mock-large', 'mock-mini']]]) },
    { db, bus },
  );
});

afterAll(async () => {
  await optimizer?.close();
  await bus?.close();
  await testDatabase?.drop();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('cost optimizer on Postgres and Redis', () => {
  it('feature store from the usage stream (replays counted once), priors start as a canary, canary promoted, savings written, tenants apart', async () => {
    const tenantA = await newTenant('optimizer-a');
    const tenantB = await newTenant('optimizer-b');
    const announced: string[] = [];
    const unsubscribe = await bus.subscribe(BANDIT_PRIORS_CHANGED_CHANNEL, (message) => announced.push(message));

    const events = [
      ...Array.from({ length: 30 }, () => usage(tenantA, 'mock-mini')),
      ...Array.from({ length: 30 }, (_, i) => usage(tenantA, 'mock-large', { success: i % 3 !== 0 })),
      usage(tenantB, 'mock-mini'),
    ];
    for (const event of events) await bus.append(USAGE_STREAM, JSON.stringify(event));
    await bus.append(USAGE_STREAM, JSON.stringify(events[0])); // replayed
    await bus.append(USAGE_STREAM, JSON.stringify(usage(tenantA, 'mock-mini', { configured: false }))); // a plain model: no route arms
    await bus.append(USAGE_STREAM, '{"not":"a usage event"}');
    await vi.waitFor(async () => expect(await observations(tenantA)).toBe(60), { timeout: 20_000, interval: 100 });
    // Tenants are written in their own transactions: B's one observation may land after A's sixtieth.
    await vi.waitFor(async () => expect(await observations(tenantB)).toBe(1), { timeout: 5_000, interval: 50 });

    // Feedback reaches the feature store through the replicas' routing.observed batches.
    // A batch delivered twice (a replica's retry, a replay) is stored once: its rows are keyed by the batch id.
    const feedback = JSON.stringify({ origin: 'replica-1', id: randomUUID(), observations: [{ kind: 'feedback', tenantId: tenantA, route: 'smart', upstream: 'mock/mock-mini', score: 0.9 }] });
    await bus.publish(ROUTING_OBSERVED_CHANNEL, feedback);
    await bus.publish(ROUTING_OBSERVED_CHANNEL, feedback);
    // A marker batch after them: once it is stored, both deliveries of the first have been handled.
    await bus.publish(ROUTING_OBSERVED_CHANNEL, JSON.stringify({ origin: 'replica-1', id: randomUUID(), observations: [{ kind: 'feedback', tenantId: tenantB, route: 'smart', upstream: 'mock/mock-mini', score: 0.5 }] }));
    await vi.waitFor(async () => expect(await db.withTenant(tenantB, (tx) => tx.optimizerFeedback.count())).toBe(1), { timeout: 5_000, interval: 50 });
    await vi.waitFor(async () => expect(await db.withTenant(tenantA, (tx) => tx.optimizerFeedback.count())).toBe(1), { timeout: 5_000, interval: 50 });

    const first = await optimizer.runTenant(tenantA);
    expect(first.routes).toHaveLength(1);
    expect(first.routes[0]).toMatchObject({ route: 'smart', canary: 'started' });
    // Against the champion (mock-large, first candidate): half the traffic on mock-mini saves money.
    expect(first.routes[0]!.savings!.baselineModel).toBe('mock-large');
    expect(first.routes[0]!.savings!.savingsPct).toBeGreaterThan(40);
    expect(first.routes[0]!.savings!.regretDelta).toBeGreaterThan(0);
    // The run's savings and regret reach the SLO consumers on optimizer.runs, keyed by the run (snapshot) id.
    await bus.ensureGroup(OPTIMIZER_RUNS_STREAM, 'test-reader');
    const runEntries = (await bus.readGroup(OPTIMIZER_RUNS_STREAM, 'test-reader', 'test', { count: 100, blockMs: 0 })).map((entry) => optimizerRunEventSchema.parse(JSON.parse(entry.payload)));
    expect(runEntries.filter((entry) => entry.runId === first.snapshotId)).toEqual([
      { runId: first.snapshotId, tenantId: tenantA, at: expect.any(String), routes: [{ route: 'smart', requests: 60, savingsPct: first.routes[0]!.savings!.savingsPct, regretDelta: first.routes[0]!.savings!.regretDelta }] },
    ]);
    const features = await db.withTenant(tenantA, (tx) => tx.optimizerFeature.findMany({ where: { snapshotId: first.snapshotId }, orderBy: { upstream: 'asc' } }));
    expect(features.map((f) => [f.upstream, f.requests, f.successes, f.qualitySamples])).toEqual([
      ['mock/mock-large', 30, 20, 0],
      ['mock/mock-mini', 30, 30, 1],
    ]);
    expect(features[1]!.latencyP95Ms).toBe(80);

    const canary = await priorsOf(tenantA);
    expect(canary.map((p) => [p.stage, p.upstream, p.canaryShare])).toEqual([
      ['canary', 'mock/mock-large', 0.1],
      ['canary', 'mock/mock-mini', 0.1],
    ]);
    expect(mean(canary[1]!)).toBeGreaterThan(mean(canary[0]!));
    await vi.waitFor(() => expect(announced).toContain(JSON.stringify({ tenantId: tenantA })), { timeout: 5_000, interval: 50 });

    // Not enough canary traffic yet: the canary waits.
    expect((await optimizer.runTenant(tenantA)).routes[0]!.canary).toBe('waiting');

    // The canary cohort (new priors) does at least as well as the active one: promoted.
    for (let i = 0; i < 60; i++) await bus.append(USAGE_STREAM, JSON.stringify(usage(tenantA, 'mock-mini', { priors: 'canary' })));
    for (let i = 0; i < 60; i++) await bus.append(USAGE_STREAM, JSON.stringify(usage(tenantA, i % 2 === 0 ? 'mock-mini' : 'mock-large', { priors: 'active' })));
    await vi.waitFor(async () => expect(await observations(tenantA)).toBe(180), { timeout: 20_000, interval: 100 });
    expect((await optimizer.runTenant(tenantA)).routes[0]!.canary).toBe('promoted');
    const active = await priorsOf(tenantA);
    expect(active.map((p) => [p.stage, p.upstream, p.alpha, p.beta])).toEqual(canary.map((p) => ['active', p.upstream, p.alpha, p.beta]));

    expect(await db.withTenant(tenantA, (tx) => tx.optimizerFeedback.count())).toBe(1);
    // Tenant B sees none of A's rows and has no priors of its own from A's traffic.
    expect(await db.withTenant(tenantB, (tx) => tx.banditPrior.count())).toBe(0);
    expect(await db.withTenant(tenantB, (tx) => tx.routeSavings.count())).toBe(0);
    await unsubscribe();
  });

  it('a clearly worse canary is discarded and the active priors stay', async () => {
    const tenant = await newTenant('optimizer-discard');
    for (let i = 0; i < 40; i++) await bus.append(USAGE_STREAM, JSON.stringify(usage(tenant, i % 2 === 0 ? 'mock-mini' : 'mock-large')));
    await vi.waitFor(async () => expect(await observations(tenant)).toBe(40), { timeout: 20_000, interval: 100 });
    expect((await optimizer.runTenant(tenant)).routes[0]!.canary).toBe('started');
    for (let i = 0; i < 60; i++) await bus.append(USAGE_STREAM, JSON.stringify(usage(tenant, 'mock-large', { priors: 'canary', success: i % 4 === 0 })));
    for (let i = 0; i < 60; i++) await bus.append(USAGE_STREAM, JSON.stringify(usage(tenant, 'mock-mini', { priors: 'active' })));
    await vi.waitFor(async () => expect(await observations(tenant)).toBe(160), { timeout: 20_000, interval: 100 });
    expect((await optimizer.runTenant(tenant)).routes[0]!.canary).toBe('discarded');
    expect(await priorsOf(tenant)).toEqual([]);
  });

  it('two optimizer replicas running one tenant at once leave exactly one canary', async () => {
    const tenant = await newTenant('optimizer-concurrent');
    for (let i = 0; i < 20; i++) await bus.append(USAGE_STREAM, JSON.stringify(usage(tenant, i % 2 === 0 ? 'mock-mini' : 'mock-large')));
    await vi.waitFor(async () => expect(await observations(tenant)).toBe(20), { timeout: 20_000, interval: 100 });
    const replica = await composeCostOptimizer({ intervalMs: 0, windowMs: 3_600_000, canaryShare: 0.1, platformRoutes: new Map([['smart', ['mock-large', 'mock-mini']]]) }, { db, bus });
    try {
      const runs = await Promise.allSettled([optimizer.runTenant(tenant), replica.runTenant(tenant), optimizer.runTenant(tenant)]);
      expect(runs.some((run) => run.status === 'fulfilled')).toBe(true);
      const rows = await priorsOf(tenant);
      expect(rows.map((p) => [p.stage, p.upstream])).toEqual([
        ['canary', 'mock/mock-large'],
        ['canary', 'mock/mock-mini'],
      ]);
      expect(new Set(rows.map((p) => p.updatedAt.getTime())).size).toBe(1);
    } finally {
      await replica.close();
    }
  });

  it('two optimizer replicas on one Redis: each scheduled tick runs on exactly one of them; closing the holder hands the schedule over', async () => {
    const tenant = await newTenant('optimizer-schedule');
    const snapshots = () => db.withTenant(tenant, (tx) => tx.optimizerSnapshot.count());
    const config = { intervalMs: 0, windowMs: 3_600_000, canaryShare: 0.1, platformRoutes: new Map([['smart', ['mock-large', 'mock-mini']]]) };
    const leases = [createRedisLease(redisUrl, { keyPrefix: prefix }), createRedisLease(redisUrl, { keyPrefix: prefix })] as const;
    const replicas = [
      await composeCostOptimizer(config, { db, bus, lease: leases[0], replicaId: 'replica-a' }),
      await composeCostOptimizer(config, { db, bus, lease: leases[1], replicaId: 'replica-b' }),
    ];
    try {
      const ticks = 4;
      const ran: number[] = [];
      for (let tick = 0; tick < ticks; tick++) {
        // Both replicas' timers fire for the same tick at once.
        const outcomes = await Promise.all(replicas.map((replica) => replica.scheduledTick()));
        expect([...outcomes].sort()).toEqual(['ran', 'skipped']);
        ran.push(outcomes.indexOf('ran'));
      }
      // The holder keeps the schedule (it renews at each tick), and every tenant ran once per tick, not once per replica.
      expect(new Set(ran).size).toBe(1);
      expect(await snapshots()).toBe(ticks);

      // The holder stops: it hands the lease back, and the other replica runs the next tick.
      const holder = ran[0]!;
      await replicas[holder]!.close();
      const survivor = replicas[1 - holder]!;
      expect(await survivor.scheduledTick()).toBe('ran');
      expect(await snapshots()).toBe(ticks + 1);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
      await Promise.all(leases.map((lease) => lease.close()));
    }
  });

  it('runs a tenant when asked on the bus (GraphQL runCostOptimizer), ignoring malformed requests', async () => {
    const tenant = await newTenant('optimizer-on-demand');
    const snapshots = () => db.withTenant(tenant, (tx) => tx.optimizerSnapshot.count());
    await bus.publish(OPTIMIZER_RUN_REQUESTED_CHANNEL, JSON.stringify({ tenantId: 'not-a-uuid' }));
    await bus.publish(OPTIMIZER_RUN_REQUESTED_CHANNEL, JSON.stringify({ tenantId: tenant }));
    await vi.waitFor(async () => expect(await snapshots()).toBe(1), { timeout: 10_000, interval: 50 });
  });
});
