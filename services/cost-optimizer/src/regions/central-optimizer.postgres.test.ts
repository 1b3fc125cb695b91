import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createInProcessBus, createRedisBus, type Bus } from '@switchyard/bus';
import { createDatabase, seed, type Database } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { BANDIT_PRIORS_CHANGED_CHANNEL } from '@switchyard/events/optimizer';
import { ROUTING_OBSERVED_CHANNEL } from '@switchyard/events/routing';
import { USAGE_STREAM, type UsageEvent } from '@switchyard/events/usage';
import { ThrowawayRedis } from '@switchyard/redis-connection/testing';
import { composeCostOptimizer, TenantNotServedError, type ComposedCostOptimizer } from '../compose-cost-optimizer';

/**
 * The central optimizer over two regions, each its own Postgres database and its own redis-server:
 * each region's usage lands in that region's database only; a tenant that is not pinned is run with
 * the traffic of both regions (fail-over counts) and gets the same priors in both; a pinned tenant's
 * snapshots, priors and savings are written only in its home region and announced only on its bus.
 */
const NAMES = ['region-a', 'region-b'] as const;
interface Region {
  name: string;
  database: TestDatabase;
  db: Database;
  redis: ThrowawayRedis;
  bus: Bus;
  announced: string[];
}
const regions: Region[] = [];
let optimizer: ComposedCostOptimizer;

const PINNED = randomUUID();
const ROAMING = randomUUID();
const PINNED_ELSEWHERE = randomUUID();

const prices = { 'mock-mini': [150, 600], 'mock-large': [3000, 15000] } as const;
function usage(tenantId: string, model: keyof typeof prices, parts: { success?: boolean; priors?: 'active' | 'canary' } = {}): UsageEvent {
  const [input, output] = prices[model];
  const success = parts.success ?? true;
  return {
    requestId: `req-${randomUUID()}`,
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
      configured: true,
      strategy: 'bandit',
      candidate: success ? `mock/${model}` : null,
      legs: [{ upstream: `mock/${model}`, model, outcome: success ? 'won' : 'failed', promptTokens: 1000, completionTokens: 1000 }],
      ...(parts.priors ? { priors: parts.priors } : {}),
    },
  };
}

const [a, b] = [() => regions[0]!, () => regions[1]!];
const observations = (region: Region, tenantId: string) => region.db.withTenant(tenantId, (tx) => tx.optimizerObservation.count());
const priorsOf = (region: Region, tenantId: string) =>
  region.db.withTenant(tenantId, (tx) => tx.banditPrior.findMany({ orderBy: [{ stage: 'asc' }, { upstream: 'asc' }], select: { stage: true, upstream: true, alpha: true, beta: true, snapshotId: true, updatedAt: true } }));
/** Every optimizer row of a tenant in one region's database. */
const optimizerRows = (region: Region, tenantId: string) =>
  region.db.withTenant(tenantId, async (tx) => ({
    observations: await tx.optimizerObservation.count(),
    feedback: await tx.optimizerFeedback.count(),
    snapshots: await tx.optimizerSnapshot.count(),
    features: await tx.optimizerFeature.count(),
    priors: await tx.banditPrior.count(),
    savings: await tx.routeSavings.count(),
  }));
const append = (region: Region, events: readonly UsageEvent[]) => Promise.all(events.map((event) => region.bus.append(USAGE_STREAM, JSON.stringify(event))));

beforeAll(async () => {
  for (const name of NAMES) {
    const database = await createTestDatabase();
    const redis = await ThrowawayRedis.start();
    const region: Region = { name, database, db: database.db, redis, bus: createRedisBus(redis.url), announced: [] };
    regions.push(region);
    await seed(region.db);
    // What the coordinator replicates into every region: the tenants and their placement.
    for (const [id, homeRegion, regionPinned] of [
      [PINNED, 'region-a', true],
      [ROAMING, 'region-a', false],
      [PINNED_ELSEWHERE, 'region-c', true],
    ] as const) {
      await region.db.withPlatform((tx) => tx.tenant.create({ data: { id, slug: `central-${id}`, name: 'central', homeRegion, regionPinned } }));
    }
    await region.bus.subscribe(BANDIT_PRIORS_CHANGED_CHANNEL, (message) => region.announced.push(message));
  }
  optimizer = await composeCostOptimizer(
    { intervalMs: 0, windowMs: 3_600_000, canaryShare: 0.1, platformRoutes: new Map([['smart', ['mock-large', 'mock-mini']]]) },
    { regions: regions.map((region) => ({ name: region.name, db: region.db, bus: region.bus })) },
  );
}, 60_000);

afterAll(async () => {
  await optimizer?.close();
  for (const region of regions) {
    await region.bus.close();
    await region.database.drop();
    await region.redis.stop();
  }
});

describe('central cost optimizer over two regions', () => {
  it("runs a region's tenants while another configured region is unreachable", async () => {
    const unreachable = await createDatabase({ url: 'postgres://postgres@127.0.0.1:1/unreachable' });
    const withOutage = await composeCostOptimizer(
      { intervalMs: 0, windowMs: 3_600_000, canaryShare: 0.1, platformRoutes: new Map([['smart', ['mock-large', 'mock-mini']]]) },
      { regions: [{ name: 'region-a', db: a().db, bus: a().bus }, { name: 'region-c', db: unreachable, bus: createInProcessBus() }] },
    );
    try {
      const tenant = randomUUID();
      await a().db.withPlatform((tx) => tx.tenant.create({ data: { id: tenant, slug: `central-${tenant}`, name: 'outage', homeRegion: 'region-a', regionPinned: true } }));
      expect(await withOutage.runTenant(tenant)).toMatchObject({ tenantId: tenant, routes: [] });
      expect((await optimizerRows(a(), tenant)).snapshots).toBe(1);
    } finally {
      await withOutage.close();
      await unreachable.close();
    }
  });

  it("consumes each region's usage and feedback into that region's database only", async () => {
    await append(a(), Array.from({ length: 30 }, () => usage(ROAMING, 'mock-mini')));
    // Region A failed over: B served the roaming tenant for a while.
    await append(b(), Array.from({ length: 30 }, (_, i) => usage(ROAMING, 'mock-large', { success: i % 3 !== 0 })));
    await append(a(), Array.from({ length: 40 }, (_, i) => usage(PINNED, i % 2 === 0 ? 'mock-mini' : 'mock-large')));
    await b().bus.publish(ROUTING_OBSERVED_CHANNEL, JSON.stringify({ origin: 'b-1', id: randomUUID(), observations: [{ kind: 'feedback', tenantId: ROAMING, route: 'smart', upstream: 'mock/mock-large', score: 0.2 }] }));
    await vi.waitFor(async () => expect(await observations(a(), ROAMING)).toBe(30), { timeout: 20_000, interval: 100 });
    await vi.waitFor(async () => expect(await observations(b(), ROAMING)).toBe(30), { timeout: 20_000, interval: 100 });
    await vi.waitFor(async () => expect(await observations(a(), PINNED)).toBe(40), { timeout: 20_000, interval: 100 });
    await vi.waitFor(async () => expect(await b().db.withTenant(ROAMING, (tx) => tx.optimizerFeedback.count())).toBe(1), { timeout: 5_000, interval: 50 });
    expect(await a().db.withTenant(ROAMING, (tx) => tx.optimizerFeedback.count())).toBe(0);
  });

  it('runs a roaming tenant with both regions\' features and writes the same priors, snapshot and savings in both', async () => {
    const run = await optimizer.runTenant(ROAMING);
    expect(run.routes).toEqual([expect.objectContaining({ route: 'smart', canary: 'started' })]);
    // 60 requests: A's 30 and B's 30 (the fail-over counts).
    expect(run.routes[0]!.savings!.requests).toBe(60);
    for (const region of regions) {
      const features = await region.db.withTenant(ROAMING, (tx) => tx.optimizerFeature.findMany({ where: { snapshotId: run.snapshotId }, orderBy: { upstream: 'asc' } }));
      expect(features.map((f) => [f.upstream, f.requests, f.successes, f.qualitySamples, f.quality])).toEqual([
        ['mock/mock-large', 30, 20, 1, 0.2],
        ['mock/mock-mini', 30, 30, 0, null],
      ]);
      expect(await region.db.withTenant(ROAMING, (tx) => tx.routeSavings.count({ where: { snapshotId: run.snapshotId } }))).toBe(1);
    }
    const [priorsA, priorsB] = [await priorsOf(a(), ROAMING), await priorsOf(b(), ROAMING)];
    expect(priorsA.map((p) => [p.stage, p.upstream])).toEqual([
      ['canary', 'mock/mock-large'],
      ['canary', 'mock/mock-mini'],
    ]);
    expect(priorsB).toEqual(priorsA);
    // Usage rows stayed where they were recorded: nothing was copied.
    expect(await observations(a(), ROAMING)).toBe(30);
    expect(await observations(b(), ROAMING)).toBe(30);
    for (const region of regions) await vi.waitFor(() => expect(region.announced).toContain(JSON.stringify({ tenantId: ROAMING })), { timeout: 5_000, interval: 50 });

    // The canary's cohorts, served in both regions, are judged together and promoted in both.
    await append(a(), Array.from({ length: 30 }, () => usage(ROAMING, 'mock-mini', { priors: 'canary' })));
    await append(b(), Array.from({ length: 30 }, () => usage(ROAMING, 'mock-mini', { priors: 'canary' })));
    await append(a(), Array.from({ length: 30 }, (_, i) => usage(ROAMING, i % 2 === 0 ? 'mock-mini' : 'mock-large', { priors: 'active' })));
    await append(b(), Array.from({ length: 30 }, (_, i) => usage(ROAMING, i % 2 === 0 ? 'mock-mini' : 'mock-large', { priors: 'active' })));
    await vi.waitFor(async () => expect(await observations(a(), ROAMING)).toBe(90), { timeout: 20_000, interval: 100 });
    await vi.waitFor(async () => expect(await observations(b(), ROAMING)).toBe(90), { timeout: 20_000, interval: 100 });
    // Each region alone has 30 canary requests, under the 50 the rule needs: only both together decide.
    expect((await optimizer.runTenant(ROAMING)).routes[0]!.canary).toBe('promoted');
    for (const region of regions) {
      expect((await priorsOf(region, ROAMING)).map((p) => [p.stage, p.upstream, p.alpha, p.beta])).toEqual(priorsA.map((p) => ['active', p.upstream, p.alpha, p.beta]));
    }

    // Region B missed a step (its database was down and that run failed): the next run brings its
    // priors level with the primary's (the home region, A) again.
    await b().db.withTenant(ROAMING, (tx) => tx.banditPrior.deleteMany({}));
    await optimizer.runTenant(ROAMING);
    expect(await priorsOf(b(), ROAMING)).toEqual(await priorsOf(a(), ROAMING));
    expect((await priorsOf(b(), ROAMING)).filter((p) => p.stage === 'active')).toHaveLength(2);
  });

  it("writes a pinned tenant's snapshot, priors and savings only in its home region and announces them only there", async () => {
    const before = b().announced.length;
    const run = await optimizer.runTenant(PINNED);
    expect(run.routes[0]).toMatchObject({ route: 'smart', canary: 'started' });
    expect(await optimizerRows(a(), PINNED)).toMatchObject({ observations: 40, snapshots: 1, features: 2, priors: 2, savings: 1 });
    expect(await optimizerRows(b(), PINNED)).toEqual({ observations: 0, feedback: 0, snapshots: 0, features: 0, priors: 0, savings: 0 });
    await vi.waitFor(() => expect(a().announced).toContain(JSON.stringify({ tenantId: PINNED })), { timeout: 5_000, interval: 50 });
    // B's bus got nothing of it (A's announcement arrived, and B's subscriber sees its own bus in order).
    await b().bus.publish(BANDIT_PRIORS_CHANGED_CHANNEL, JSON.stringify({ tenantId: 'marker' }));
    await vi.waitFor(() => expect(b().announced.slice(before)).toContain(JSON.stringify({ tenantId: 'marker' })), { timeout: 5_000, interval: 50 });
    expect(b().announced.slice(before).filter((message) => message.includes(PINNED))).toEqual([]);
  });

  it('refuses a tenant pinned to a region it does not serve, and one no region knows, writing nothing', async () => {
    await expect(optimizer.runTenant(PINNED_ELSEWHERE)).rejects.toBeInstanceOf(TenantNotServedError);
    await expect(optimizer.runTenant(randomUUID())).rejects.toBeInstanceOf(TenantNotServedError);
    for (const region of regions) expect(await optimizerRows(region, PINNED_ELSEWHERE)).toMatchObject({ snapshots: 0, priors: 0 });
  });

  it('runs every tenant any region knows on a round, skipping the ones it may not serve', async () => {
    await optimizer.runAll();
    const snapshots = async (region: Region, tenant: string) => (await optimizerRows(region, tenant)).snapshots;
    expect([await snapshots(a(), ROAMING), await snapshots(b(), ROAMING)]).toEqual([4, 4]);
    expect([await snapshots(a(), PINNED), await snapshots(b(), PINNED)]).toEqual([2, 0]);
  });
});
